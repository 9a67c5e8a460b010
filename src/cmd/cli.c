/*
 * cli.c: the table of subcommands.  It is the only source of `simpul
 * --help`, `simpul help CMD` and the man page simpul(1), so the three can
 * never disagree.  It owns the global options (--db, --actor, -v), the
 * lookup of the subcommand, the one place that turns an sp_err into a line
 * on stderr and an exit status (cli_main), and opening the database for
 * the handlers.  It does not parse a subcommand's own options (cmd_*.c do).
 */
#include "config.h"

#include <getopt.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "exchange/desk.h"
#include "core/err.h"
#include "core/log.h"
#include "exchange/policy.h"
#include "exchange/settings.h"
#include "store/store.h"
#include "core/util.h"

static const struct cli_cmd cmds[] = {
	{ "init",
	  "--node CODE --name NAME [--role regency|hub] --cert PEM --key PEM "
	  "--ca PEM\n[--crl PEM] [--hub URL] [--zone WIB|WITA|WIT]",
	  "create the node's database",
	  "Creates the database named by --db with a new instance id.  The "
	  "certificate must chain to the CA, its CN must be the node code and "
	  "the key must be the certificate's.  The database keeps the paths of "
	  "the files, never a private key.",
	  cmd_init },
	{ "config",
	  "get [KEY]\nset KEY VALUE",
	  "show or change settings",
	  "Settings: target hours, zone, limits, retention, and the node's "
	  "identity.  A value is checked before it is stored.",
	  cmd_config },
	{ "calendar",
	  "load FILE\nlist [YEAR]",
	  "holidays and cuti bersama",
	  "FILE has one day per line: YYYY-MM-DD, a space and the name.  "
	  "Lines starting with # are comments.  Loading replaces the days of "
	  "the years the file names.",
	  cmd_calendar },
	{ "category",
	  "load FILE\nlist",
	  "the topic tree, with each topic's tier",
	  "FILE has one topic per line: CODE, PARENT (or -), TIER (2, 5, 14 or "
	  "60 working days) and NAME, separated by tabs.  Loading replaces the "
	  "whole tree.",
	  cmd_category },
	{ "backup",
	  "FILE | --dir DIR [--keep N]",
	  "a consistent copy of the live database",
	  "Copies the database while nodes keep running.  The copy holds no "
	  "private key.  With --dir, the copy is DIR/simpul-YYYYMMDDTHHMMSSZ.db "
	  "(UTC) and only the newest N such copies are kept (default 14), as "
	  "simpul-backup.timer runs it daily.",
	  cmd_backup },
	{ "doctor", "",
	  "check that this node is fit to run",
	  "One line per check, ok or PROBLEM with what was found and what to "
	  "do: the database (PRAGMA quick_check), the certificate and key "
	  "(chain to the CA, validity, revocation, CN, the key is the "
	  "certificate's; a problem when it expires within 30 days), the CRL "
	  "(stale, or stale within 2 days), the key file's mode (no access "
	  "for others, no group write), the free space beside the "
	  "database (1 GiB and 5 %), and the clock against the Date of the "
	  "hub's answer (a problem beyond 60 s, or when the hub does not "
	  "answer).  Exit 0 when all are ok, else 1.",
	  cmd_doctor },
	{ "user",
	  "add LOGIN --name N --role admin|officer|liaison|auditor [--unit U]\n"
	  "passwd LOGIN\ndisable LOGIN\nlist",
	  "accounts of the web desk",
	  "A login is a letter and then up to 31 of a-z, 0-9, '.', '_' and "
	  "'-'.  A liaison officer answers for a unit and sees only what is "
	  "dispatched to it.  add and passwd read the password from the "
	  "terminal without echo, twice, or as one line from standard input: "
	  "12 to 128 bytes, not the login.  It is kept only as an Argon2id "
	  "hash.  A disabled account can no longer log in; it stays, so that "
	  "what it did keeps its name.",
	  cmd_user },
	{ "peer",
	  "add CODE [URL] [--pin SHA256]...\nlist\nremove CODE\nreenrol CODE",
	  "nodes this node exchanges with",
	  "A peer's URL makes direct push possible; without one the hub relays. "
	  " A pin is the base64 SHA-256 of the peer's public key.  A node "
	  "that comes back with a new instance id (a new database) is refused "
	  "until reenrol CODE accepts the instance it shows next.",
	  cmd_peer },
	{ "complaint",
	  "file --title T --body B [--channel C] [--type T] [--category C] "
	  "[--location L] "
	  "[--reporter-name N] [--reporter-contact C] [--reporter-nik K] "
	  "[--anonymous] [--confidential]\n"
	  "list [--status S] [--overdue] [--channel C] [--category C] "
	  "[--owner CODE] [--format table|json|xml]\n"
	  "show ID [--reveal] [--format table|json|xml]\n"
	  "verify|accept|recall|arrived|extend|resolve|reopen|close ID\n"
	  "postpone|archive|return ID --reason R\n"
	  "dispatch ID --unit U [--officer O]\n"
	  "forward ID --to CODE [--reason R]\n"
	  "follow-up|note|reply ID --text T\n"
	  "rate ID --stars N\n"
	  "mark ID --anonymous|--confidential\n"
	  "erase-reporter ID",
	  "record complaints and move them through SP4N-LAPOR!",
	  "list and show take --format table|json|xml.  file prints the new "
	  "id.  Chain events are written only by the complaint's owner; "
	  "forward hands ownership at once to a peer or to a node in the hub's "
	  "directory as sync last fetched it (which becomes a peer reached "
	  "through the hub).  "
	  "Reporter identity is "
	  "shown only by show --reveal at the origin, and every reveal is "
	  "logged.  Every command first closes, as of its deadline, each "
	  "complaint whose reporter reply window ended; list and show on a "
	  "database that is read-only or locked show it as it is.  "
	  "SIMPUL_NOW sets now.",
	  cmd_complaint },
	{ "channel",
	  "list\nshow CODE\nrecut CODE SEQ\nresume CODE",
	  "refused and halted channels",
	  "list shows every channel: out (seq cut, seq acknowledged, the "
	  "receiver's last known head, events queued) and in (seq accepted, "
	  "items held, halted).  show lists a channel's batches.  recut "
	  "re-signs a batch that was never accepted (and the ones after it) "
	  "under the same seq with replaces=\"old digest\"; it is refused "
	  "unless the receiver's last receipt shows a head below SEQ.  resume "
	  "reopens an incoming channel halted after an equivocation; the "
	  "evidence stays.",
	  cmd_exchange },
	{ "recover", "",
	  "rebuild a lost node from what it sent",
	  "For a node that lost its database (run init again with the same "
	  "certificate, and peer add its peers) or restored an old backup.  "
	  "It takes a new instance id and refuses every write (exit 3) until "
	  "it is done, then pulls its own batches back in seq order: from the "
	  "hub its channel to the hub and what the hub relayed for it, from "
	  "every peer with a URL what that peer accepted.  Each is verified "
	  "(signature, signer this node) and its events applied again as this "
	  "node's own; each channel continues where the receiver holds it, and "
	  "the event seq and complaint number past the highest seen, so "
	  "nothing is ever numbered twice.  Reporter identity is in no batch "
	  "and is lost.  Every node refuses the new instance until its "
	  "operator runs the `simpul peer reenrol CODE` it prints; then sync "
	  "pulls what the others sent.  A failure leaves the node recovering: "
	  "run it again.",
	  cmd_recover },
	{ "archive", "--out DIR [--from CODE] [--to CODE]",
	  "every stored batch and receipt, for auditors",
	  "Writes every batch this node sent or received (every copy, re-cut, "
	  "replaced and equivocation evidence included) and every receipt, "
	  "as files of their exact bytes: batch-FROM-TO-SEQ-DIGEST8.xml and "
	  "receipt-SIGNER-FROM-TO-SEQ-N.xml, in DIR, made with its parents "
	  "if missing.  --from and --to keep the batches of those channels.  "
	  "`simpul audit` reads the directory.",
	  cmd_archive },
	{ "status", "[--format table|json|xml]",
	  "this node and its channels",
	  "This node, the CRL it checks against (its number, when it was "
	  "issued and its next update; STALE once that is past), then one "
	  "line per peer: its URL, the last seq cut "
	  "(sent), acknowledged and received, events queued, batches not "
	  "yet acknowledged, its items held here, our items it refused, and "
	  "the channel's last error and when.  The same data as GET "
	  "/v1/status.",
	  cmd_sync_status },
	{ "sync", "[--peer CODE]",
	  "push outboxes, pull inboxes, once",
	  "One round of the sync loop over mutual-TLS HTTPS with each "
	  "channel (or only CODE's): every peer with a URL, and with a hub "
	  "the hub and every peer reached through it.  Cut the outbox into "
	  "signed, stored batches, POST every stored batch not yet "
	  "acknowledged (or relayed) in seq order and record each receipt, "
	  "then pull this node's inbox (GET /v1/batches) until it has "
	  "nothing more, each batch received as import would, and push "
	  "again the receipts owed for what came.  One line per channel.  "
	  "Exit 0 when every channel synced, 3 when one was unreachable "
	  "(everything stays stored: run it again), 1 when something was "
	  "refused (the channel's last error says what).",
	  cmd_sync_status },
	{ "serve", "[--listen ADDR:PORT] [--metrics [ADDR:]PORT]",
	  "sync loop, and an HTTPS server if --listen, until SIGTERM",
	  "The sync loop: rounds of sync with every channel, the next one "
	  "sync.interval_seconds after a good round, or after an exponential "
	  "backoff with jitter (never before the server's Retry-After) after "
	  "a bad one; every round on the hub's channel refreshes the "
	  "directory and the CRL (a newer CRL is installed over node.crl and "
	  "in force at once).  With --listen, also this node's HTTPS endpoint "
	  "on ADDR:PORT (port 0 picks one, logged at start): mutual TLS 1.2+, "
	  "a client certificate from the federation CA whose CN is a node "
	  "this one knows (the hub enrols a node at its first contact), "
	  "limits on body size, connections, idle time and rate, one log "
	  "line per request: POST and GET /v1/batches, GET /v1/receipts, GET "
	  "/v1/status, and at the hub GET /v1/directory and GET /v1/crl; the "
	  "hub relays batches for other nodes.  Without --listen, a node "
	  "behind NAT that only reaches out.  With --metrics, GET /metrics "
	  "in the Prometheus text format on a plain-HTTP listener of its "
	  "own, on 127.0.0.1 when only PORT is given (channels, clocks, "
	  "requests, rounds, database, CRL and directory).  The log is one "
	  "key=value line per event, to the journal under systemd, which it "
	  "tells when it is ready (Type=notify).  SIGTERM finishes the request "
	  "in hand and stops.  One serve per database: "
	  "it holds a lock on DB.lock for its life, and a second one exits 3.",
	  cmd_serve },
	{ "metrics", "[--period P] [--sign] [--national] "
	  "[--format table|xml|json|csv]",
	  "figures per period",
	  "The node's figures (DESIGN section 6) over the complaints it holds, "
	  "for one period of whole days in its zone: YYYY, YYYY-MM, "
	  "YYYY-MM-DD or FROM..TO (dates); the default is the current month.  "
	  "Every figure is defined in the README.  --sign, for a period that "
	  "is over, records the figures with their inputs (per author, the "
	  "highest author seq counted) as the node's next figure set and "
	  "queues it for the hub channel, signed with the next batch.  "
	  "--national, on the hub: per node, its latest signed figures for "
	  "the period, the hub's recomputation from the same inputs, every "
	  "difference, and the rank on the figures whose rules are the same "
	  "everywhere.",
	  cmd_metrics },
	{ "export", "--to CODE --out DIR",
	  "signed batches as files (no network)",
	  "Cuts what is queued for CODE into signed batches, stores them, "
	  "then writes every batch of the channel not yet acknowledged as "
	  "DIR/batch-FROM-TO-SEQ.xml (a re-cut: DIR/batch-FROM-TO-SEQ-HEX8.xml), "
	  "the exact stored bytes; DIR is made with its parents if missing, "
	  "and nothing is cut when it cannot be.  Receipts owed to CODE ride "
	  "in the batches.",
	  cmd_exchange },
	{ "import", "[--receipts DIR] FILE...",
	  "batches or receipts, with the server's checks",
	  "Receives each FILE as the server would: a batch goes through the "
	  "replay check, the transport checks (size, form, schema, signature, "
	  "signer, authorship, channel position) and the item checks, all "
	  "in one transaction; a standalone receipt is recorded against the "
	  "batch this node sent.  Prints one line per file and one per "
	  "refused or held item.  --receipts DIR writes each signed final "
	  "receipt as DIR/receipt-SIGNER-FROM-TO-SEQ.xml (DIR is made with "
	  "its parents before the first file).  A refused file "
	  "stops the run with its reason's code name (exit 1).",
	  cmd_exchange },
	{ "audit", "--ca PEM [--crl PEM] [--format text|json] FILE|DIR...",
	  "verify batches and receipts offline, no database",
	  "Judges every FILE and every *.xml under each DIR, batches and "
	  "standalone receipts alike, with the CA (and CRL) only: no "
	  "database, network or key.  Each document gets the receiver's "
	  "checks at its trusted time: the time of a receipt for that batch, "
	  "else its own created time (finding time-unverified).  Then each "
	  "channel's seq and prev chain, copies and equivocation, receipts "
	  "against their batches, duplicate events, and every complaint's "
	  "history rebuilt from all authors' events.  Every document is read "
	  "before any is judged, so neither the order of FILE and DIR nor "
	  "how the files are split into folders changes the verdict.  Prints "
	  "one line per finding, FILE: batch|receipt FROM->TO#SEQ: CODE: "
	  "message, then a summary per channel; --format json for programs.  "
	  "Exit 0 only when there is no finding, 1 when there is any.",
	  cmd_audit },
	{ "verify", "--ca PEM [--crl PEM] [--at TIME] FILE...",
	  "check one signed document: shape, schema, signature, signer",
	  "Checks each FILE, a batch or a standalone receipt, as a receiver "
	  "would before looking at its channel: size, form (no DOCTYPE, "
	  "entity, comment or processing instruction; UTF-8 only), schema, "
	  "the one accepted XMLDSig shape and its value, the signer's "
	  "certificate (chain to the CA, validity and revocation at TIME, "
	  "default now; CN = the document's from) and authorship.  Needs no "
	  "database.  Prints one line per good file; the first refused file "
	  "ends the run with its reason's stable code name (exit 1).",
	  cmd_verify },
	{ "schemas", "--out DIR",
	  "the built-in wire schemas as files, for auditors",
	  "Writes the XML schemas every document is validated against, "
	  "exactly as built into this simpul, as DIR/common.xsd, "
	  "DIR/batch.xsd, DIR/receipt.xsd and DIR/directory.xsd, and prints "
	  "each path, so that standard tools can check a document too: "
	  "xmllint --noout --schema DIR/batch.xsd FILE.  DIR is made if "
	  "missing.  Nothing is overwritten: a schema file already in DIR "
	  "refuses the run before anything is written (exit 1).",
	  cmd_schemas },
};

#define NCMDS	(sizeof(cmds) / sizeof(cmds[0]))

const struct cli_cmd *
cli_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < NCMDS; i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

static void
print_synopsis(FILE *f, const char *prefix, const struct cli_cmd *c)
{
	const char	*p = c->synopsis, *nl;

	do {
		nl = strchr(p, '\n');
		fprintf(f, "%s%s %.*s\n", prefix, c->name,
		    nl ? (int)(nl - p) : (int)strlen(p), p);
		p = nl ? nl + 1 : NULL;
	} while (p != NULL);
}

void
cli_usage(FILE *f)
{
	size_t	 i;

	fprintf(f,
	    "usage: simpul [--db FILE] [--actor NAME] [-v] COMMAND [ARGS]\n"
	    "       simpul --help | --version | help COMMAND\n\ncommands:\n");
	for (i = 0; i < NCMDS; i++)
		fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(f, "\nThe database is --db FILE or $SIMPUL_DB; the actor is "
	    "--actor, $SIMPUL_ACTOR or the login name.\n"
	    "Exit status: 0 ok, 1 refused, 2 usage, 3 environment "
	    "(try again later).\n");
}

void
cli_cmd_usage(FILE *f, const struct cli_cmd *c)
{
	print_synopsis(f, "usage: simpul ", c);
}

/* Escape roff's special characters at the start of lines and backslashes. */
static void
man_text(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			fputs("\\e", f);
		else if (*s == '-')
			fputs("\\-", f);
		else if (*s == '\n')
			fputs("\n.br\n", f);
		else
			fputc(*s, f);
	}
}

void
cli_man(FILE *f)
{
	size_t	 i;

	fprintf(f, ".TH SIMPUL 1 \"\" \"simpul " PACKAGE_VERSION "\"\n"
	    ".SH NAME\nsimpul \\- SP4N\\-LAPOR! federation node\n"
	    ".SH SYNOPSIS\n.B simpul\n[\\-\\-db FILE] [\\-\\-actor NAME] [\\-v]"
	    " COMMAND [ARGS]\n.SH DESCRIPTION\nEach regency runs one simpul "
	    "node that keeps its complaints in one SQLite file and exchanges "
	    "signed XML batches with the national hub and peer regencies.\n"
	    ".SH COMMANDS\n");
	for (i = 0; i < NCMDS; i++) {
		fprintf(f, ".TP\n.B %s\n", cmds[i].name);
		man_text(f, cmds[i].synopsis);
		fprintf(f, "\n.br\n");
		man_text(f, cmds[i].summary);
		fprintf(f, ".\n");
		if (cmds[i].description != NULL) {
			fprintf(f, "\n.br\n");
			man_text(f, cmds[i].description);
			fprintf(f, "\n");
		}
		if (cmds[i].run == NULL)
			fprintf(f, "Not built yet: exits 3.\n");
	}
	fprintf(f, ".SH ENVIRONMENT\n.TP\n.B SIMPUL_DB\nthe database "
	    "when \\-\\-db is not given\n.TP\n.B SIMPUL_ACTOR\nwho acts, when "
	    "\\-\\-actor is not given\n.TP\n.B SIMPUL_NOW\nan RFC 3339 time "
	    "taken as now (tests)\n.TP\n.B SIMPUL_BUSY_TIMEOUT_MS\nhow long a "
	    "write waits for another writer before it gives up with exit 3 "
	    "(default 5000)\n.TP\n.B SIMPUL_SCHEMAS\na directory whose "
	    "schema files are read instead of the built\\-in ones "
	    "(development)\n"
	    ".SH EXIT STATUS\n0 ok; 1 refused input or failed check; 2 usage; "
	    "3 environment (database locked or unreadable, disk full, peer "
	    "unreachable): try again later.\n");
}

int
cli_store(struct cli *cli, int mode, struct sp_err *err)
{
	if (cli->store != NULL)
		return 0;
	if (cli->db == NULL)
		return sp_errf(err, SPE_USAGE,
		    "no database: give --db FILE or set SIMPUL_DB");
	if ((cli->store = store_open(cli->db,
	    mode == CLI_WRITE ? STORE_WRITE : STORE_READ, err)) == NULL)
		return -1;
	return 0;
}

/*
 * Record the node's policy as a new version if a command changed it
 * (DESIGN §6), queued for the hub channel when there is a hub.
 */
static int
note_policy(struct cli *cli, int first, struct sp_err *err)
{
	char	*code = NULL, *hub = NULL;
	int	 rc = -1;

	if (settings_get(cli->store, "node.code", &code, err) == -1 ||
	    settings_get(cli->store, "node.hub", &hub, err) == -1)
		goto out;
	rc = policy_note(cli->store, code, hub[0] != '\0' &&
	    strcmp(code, "hub") != 0 ? "hub" : NULL, util_now(), first, err);
out:
	free(code);
	free(hub);
	return rc;
}

/* 0, or -1 (SPE_RECOVERING) while the node recovers: writes wait. */
int
cli_not_recovering(struct cli *cli, struct sp_err *err)
{
	char	*why;
	int	 rc;

	if ((rc = settings_recovering(cli->store, &why, err)) != 1)
		return rc;
	sp_errf(err, SPE_RECOVERING, "this node is recovering (%s): writes "
	    "are refused until simpul recover is done", why);
	free(why);
	return -1;
}

/*
 * A node closes what the reporter's reply window ended when it notices
 * (DESIGN §3), and erases the identities its retention setting no longer
 * allows (DESIGN §7): every write transaction starts by doing so.  A refused
 * command rolls it back with everything else; the next one redoes it.
 *
 * While the node recovers only local writes (cli_begin_local) begin, and
 * without housekeeping.  On failure nothing is left open.
 */
static int
begin(struct cli *cli, int local, struct sp_err *err)
{
	struct desk	 d;
	char		*why;
	int		 rc;

	if (cli_store(cli, CLI_WRITE, err) == -1 ||
	    store_begin(cli->store, err) == -1)
		return -1;
	if (!local && cli_not_recovering(cli, err) == -1)
		goto fail;
	if ((rc = settings_recovering(cli->store, &why, err)) != 0) {
		free(why);
		if (rc == -1)
			goto fail;
		return 0;
	}
	if (desk_init(&d, cli->store, cli->actor, util_now(), err) == -1)
		goto fail;
	rc = desk_autoclose(&d, err);
	if (rc != -1)
		rc = desk_expire_identity(&d, err);
	desk_clear(&d);
	if (rc != -1)
		rc = note_policy(cli, 1, err);
	if (rc == 0)
		return 0;
fail:
	store_rollback(cli->store);
	return -1;
}

int
cli_begin(struct cli *cli, struct sp_err *err)
{
	return begin(cli, 0, err);
}

/*
 * The node's own configuration (settings, calendar, topics, peers) may
 * change while it recovers: recovery needs its peers.  Nothing is closed
 * or erased then: that would write events.
 */
int
cli_begin_local(struct cli *cli, struct sp_err *err)
{
	return begin(cli, 1, err);
}

/*
 * cli_begin() for a command that only shows (complaint list and show,
 * metrics): on a database that cannot be written now (read-only, locked
 * by a writer past the busy timeout, or recovering) it shows what the
 * file holds, without recording what the reply window closed, and
 * cli_commit() then has nothing to commit.  Any other failure is cli_begin()'s.
 */
int
cli_begin_read(struct cli *cli, struct sp_err *err)
{
	if (cli_begin(cli, err) == 0)
		return 0;
	if (err->code != SPE_READONLY && err->code != SPE_LOCKED &&
	    err->code != SPE_RECOVERING)
		return -1;
	sp_err_clear(err);
	cli_close(cli);
	return cli_store(cli, CLI_READ, err);
}

int
cli_commit(struct cli *cli, struct sp_err *err)
{
	if (!store_writable(cli->store))
		return 0;	/* cli_begin_read on a read-only file */
	if (note_policy(cli, 0, err) == -1)
		return -1;
	return store_commit(cli->store, err);
}

void
cli_close(struct cli *cli)
{
	store_close(cli->store);
	cli->store = NULL;
}

int
cli_usage_err(const char *cmd, struct sp_err *err, const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[200];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return sp_errf(err, SPE_USAGE, "%s (see: simpul help %s)", msg, cmd);
}

void
cli_getopt_reset(void)
{
	optind = 0;	/* glibc: 0 also resets its internal state */
	opterr = 0;
}

static const char *
login_name(void)
{
	const char	*s;
	struct passwd	*pw;

	if ((s = getenv("SIMPUL_ACTOR")) != NULL && *s != '\0')
		return s;
	if ((s = getenv("USER")) != NULL && *s != '\0')
		return s;
	if ((pw = getpwuid(getuid())) != NULL)
		return pw->pw_name;
	return "unknown";
}

static int
report(const char *cmd, const struct sp_err *err)
{
	fprintf(stderr, "simpul: %s%s%s\n", cmd ? cmd : "", cmd ? ": " : "",
	    err->msg);
	return sp_code_exit(err->code);
}

/*
 * Global options stand before the subcommand; returns its index, 0 when an
 * informational option was answered, -1 on a usage error.
 */
static int
global_options(struct cli *cli, int argc, char **argv, struct sp_err *err)
{
	int	 i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
			cli->db = argv[++i];
		else if (strncmp(argv[i], "--db=", 5) == 0)
			cli->db = argv[i] + 5;
		else if (strcmp(argv[i], "--actor") == 0 && i + 1 < argc)
			cli->actor = argv[++i];
		else if (strncmp(argv[i], "--actor=", 8) == 0)
			cli->actor = argv[i] + 8;
		else if (strcmp(argv[i], "-v") == 0)
			cli->verbose = 1;
		else if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			cli_usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--version") == 0) {
			puts(PACKAGE_STRING);
			return 0;
		} else if (strcmp(argv[i], "--man") == 0) {
			cli_man(stdout);
			return 0;
		} else
			return sp_errf(err, SPE_USAGE,
			    "unknown or incomplete option '%s' "
			    "(see: simpul --help)", argv[i]);
	}
	if (i == argc)
		return sp_errf(err, SPE_USAGE,
		    "no command given (see: simpul --help)");
	return i;
}

static int
help(int argc, char **argv)
{
	const struct cli_cmd	*c;

	if (argc < 2) {
		cli_usage(stdout);
		return 0;
	}
	if ((c = cli_find(argv[1])) == NULL) {
		fprintf(stderr, "simpul: help: unknown command '%s'\n",
		    argv[1]);
		return 2;
	}
	cli_cmd_usage(stdout, c);
	if (c->description != NULL)
		printf("\n%s\n", c->description);
	return 0;
}

int
cli_main(int argc, char **argv)
{
	struct cli		 cli = { 0 };
	struct sp_err		 err = { 0 };
	const struct cli_cmd	*c;
	int			 first, rc;

	cli.db = getenv("SIMPUL_DB");
	if ((first = global_options(&cli, argc, argv, &err)) == -1)
		return report(NULL, &err);
	if (first == 0)
		return 0;	/* --help, --version or --man answered */
	if (cli.actor == NULL)
		cli.actor = login_name();
	log_init(cli.verbose);
	if (strcmp(argv[first], "help") == 0)
		return help(argc - first, argv + first);
	if ((c = cli_find(argv[first])) == NULL) {
		sp_errf(&err, SPE_USAGE,
		    "unknown command '%s' (see: simpul --help)", argv[first]);
		return report(NULL, &err);
	}
	cli_getopt_reset();
	rc = c->run(&cli, argc - first, argv + first, &err);
	cli_close(&cli);
	if (rc == -1)
		return report(c->name, &err);
	return 0;
}
