/*
 * cmd_complaint.c: `simpul complaint SUBCOMMAND`, DESIGN §8.  It parses
 * arguments, calls the desk (desk.c) and prints.  The lifecycle rules are
 * complaint.c's, the clocks clock.c's; what this file decides is only what
 * a person may see: reporter identity is shown by `show --reveal` alone,
 * only at the origin, and every reveal is logged (DESIGN §7).
 *
 * Every subcommand runs in one transaction opened by cli_begin() (which
 * first closes what the reply window ended), so a refusal changes nothing.
 */
#include "config.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "rules/clock.h"
#include "rules/complaint.h"
#include "exchange/desk.h"
#include "core/err.h"
#include "rules/event.h"
#include "core/fmt.h"
#include "exchange/node.h"
#include "store/store.h"
#include "core/util.h"
#include "core/xmalloc.h"

/* Options, as bits, so each subcommand says which it takes. */
enum {
	O_TITLE = 1 << 0, O_BODY = 1 << 1, O_CHANNEL = 1 << 2,
	O_TYPE = 1 << 3, O_CATEGORY = 1 << 4, O_LOCATION = 1 << 5,
	O_RNAME = 1 << 6, O_RCONTACT = 1 << 7, O_RNIK = 1 << 8,
	O_ANON = 1 << 9, O_CONF = 1 << 10, O_STATUS = 1 << 11,
	O_OVERDUE = 1 << 12, O_OWNER = 1 << 13, O_FORMAT = 1 << 14,
	O_REVEAL = 1 << 15, O_REASON = 1 << 16, O_UNIT = 1 << 17,
	O_OFFICER = 1 << 18, O_TO = 1 << 19, O_TEXT = 1 << 20,
	O_STARS = 1 << 21
};

static const struct option opts[] = {
	{ "title", required_argument, NULL, O_TITLE },
	{ "body", required_argument, NULL, O_BODY },
	{ "channel", required_argument, NULL, O_CHANNEL },
	{ "type", required_argument, NULL, O_TYPE },
	{ "category", required_argument, NULL, O_CATEGORY },
	{ "location", required_argument, NULL, O_LOCATION },
	{ "reporter-name", required_argument, NULL, O_RNAME },
	{ "reporter-contact", required_argument, NULL, O_RCONTACT },
	{ "reporter-nik", required_argument, NULL, O_RNIK },
	{ "anonymous", no_argument, NULL, O_ANON },
	{ "confidential", no_argument, NULL, O_CONF },
	{ "status", required_argument, NULL, O_STATUS },
	{ "overdue", no_argument, NULL, O_OVERDUE },
	{ "owner", required_argument, NULL, O_OWNER },
	{ "format", required_argument, NULL, O_FORMAT },
	{ "reveal", no_argument, NULL, O_REVEAL },
	{ "reason", required_argument, NULL, O_REASON },
	{ "unit", required_argument, NULL, O_UNIT },
	{ "officer", required_argument, NULL, O_OFFICER },
	{ "to", required_argument, NULL, O_TO },
	{ "text", required_argument, NULL, O_TEXT },
	{ "stars", required_argument, NULL, O_STARS },
	{ NULL, 0, NULL, 0 }
};

#define NOPTS	22

struct args {
	const char	*sub;
	unsigned	 given;
	const char	*val[NOPTS];	/* by bit number */
	const char	*id;		/* the one positional argument */
	enum fmt_kind	 format;
};

static int
bit(unsigned o)
{
	int	 i;

	for (i = 0; i < NOPTS; i++)
		if (o == 1U << i)
			return i;
	return 0;
}

static const char *
val(const struct args *a, unsigned o)
{
	return (a->given & o) ? a->val[bit(o)] : NULL;
}

static const char *
opt_name(unsigned o)
{
	int	 i;

	for (i = 0; opts[i].name != NULL; i++)
		if ((unsigned)opts[i].val == o)
			return opts[i].name;
	return "?";
}

/* Append src to the string in out[size], cutting what does not fit. */
static void
append(char *out, const char *src, size_t size)
{
	size_t	 n = strlen(out);

	if (n + 1 < size)
		snprintf(out + n, size - n, "%s", src);
}

/*
 * Parse argv (argv[0] is the subcommand): only the options in allowed,
 * every one in need, and an ID when want_id.
 */
static int
parse(int argc, char **argv, unsigned allowed, unsigned need, int want_id,
    struct args *a, struct sp_err *err)
{
	int	 c, i;

	memset(a, 0, sizeof(*a));
	a->sub = argv[0];
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == '?' || c == ':' || c == 0)
			return cli_usage_err("complaint", err, "%s: unknown "
			    "option or missing value", a->sub);
		if (((unsigned)c & allowed) == 0)
			return cli_usage_err("complaint", err, "%s does not "
			    "take --%s", a->sub, opt_name((unsigned)c));
		a->given |= (unsigned)c;
		a->val[bit((unsigned)c)] = optarg;
	}
	for (i = 0; i < NOPTS; i++)
		if ((need & (1U << i)) && !(a->given & (1U << i)))
			return cli_usage_err("complaint", err, "%s needs --%s",
			    a->sub, opt_name(1U << i));
	if (want_id) {
		if (optind >= argc)
			return cli_usage_err("complaint", err, "%s needs an ID",
			    a->sub);
		a->id = argv[optind++];
		if (strlen(a->id) >= 40)
			return cli_usage_err("complaint", err, "'%s' is not a "
			    "complaint id", a->id);
	}
	if (optind < argc)
		return cli_usage_err("complaint", err, "%s: unexpected "
		    "argument '%s'", a->sub, argv[optind]);
	a->format = FMT_TABLE;
	if ((a->given & O_FORMAT) && fmt_parse(val(a, O_FORMAT), &a->format)
	    == -1)
		return cli_usage_err("complaint", err, "--format must be "
		    "table, json or xml");
	return 0;
}

/* Open the transaction and the desk. */
static int
open_desk(struct cli *cli, struct desk *d, struct sp_err *err)
{
	memset(d, 0, sizeof(*d));
	if (cli_begin(cli, err) == -1)
		return -1;
	return desk_init(d, cli->store, cli->actor, util_now(), err);
}

/* The same for list and show: a read-only database is shown as it is. */
static int
open_desk_read(struct cli *cli, struct desk *d, struct sp_err *err)
{
	memset(d, 0, sizeof(*d));
	if (cli_begin_read(cli, err) == -1)
		return -1;
	return desk_init(d, cli->store, cli->actor, util_now(), err);
}

static int
nik_valid(const char *s)
{
	size_t	 i;

	for (i = 0; s[i] != '\0'; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return i == 16;
}

static int
file(struct cli *cli, int argc, char **argv, struct sp_err *err)
{
	struct args		 a;
	struct desk		 d;
	struct complaint_fields	 f;
	struct store_reporter	 r;
	struct store_category	 cat;
	char			 id[40];
	int			 rc = -1, found;

	if (parse(argc, argv, O_TITLE | O_BODY | O_CHANNEL | O_TYPE |
	    O_CATEGORY | O_LOCATION | O_RNAME | O_RCONTACT | O_RNIK | O_ANON |
	    O_CONF, O_TITLE | O_BODY, 0, &a, err) == -1)
		return -1;
	memset(&f, 0, sizeof(f));
	f.type = CT_COMPLAINT;
	f.channel = CH_WALK_IN;
	if (val(&a, O_TYPE) && (f.type = complaint_type_by_name(val(&a,
	    O_TYPE))) == CT_MAX)
		return cli_usage_err("complaint", err, "--type must be "
		    "complaint, aspiration or information_request");
	if (val(&a, O_CHANNEL) && (f.channel = channel_by_name(val(&a,
	    O_CHANNEL))) == CH_MAX)
		return cli_usage_err("complaint", err, "--channel must be web, "
		    "sms1708, app, whatsapp, social, agent, village_visit, "
		    "walk_in or hub");
	f.title = (char *)val(&a, O_TITLE);
	f.body = (char *)val(&a, O_BODY);
	f.category = (char *)val(&a, O_CATEGORY);
	f.location_text = (char *)val(&a, O_LOCATION);
	f.anonymous = (a.given & O_ANON) != 0;
	f.confidential = (a.given & O_CONF) != 0;
	memset(&r, 0, sizeof(r));
	r.name = val(&a, O_RNAME);
	r.contact = val(&a, O_RCONTACT);
	r.nik = val(&a, O_RNIK);
	if (complaint_text_check("reporter name", r.name, 200, 0, err) == -1 ||
	    complaint_text_check("reporter contact", r.contact, 200, 0,
	    err) == -1)
		return -1;
	if (r.nik != NULL && !nik_valid(r.nik))
		return sp_errf(err, SPE_INVALID, "NIK must be 16 digits");
	if (open_desk(cli, &d, err) == -1)
		goto out;
	if (f.category != NULL) {
		if ((found = store_category_get(cli->store, f.category, &cat,
		    err)) == -1)
			goto out;
		if (!found) {
			sp_errf(err, SPE_INVALID, "unknown category '%s' (see: "
			    "simpul category list)", f.category);
			goto out;
		}
	}
	if (desk_file(&d, &f, &r, id, err) == -1 ||
	    cli_commit(cli, err) == -1)
		goto out;
	printf("%s\n", id);
	rc = 0;
out:
	desk_clear(&d);
	return rc;
}

/*
 * Refuse a forward to a node this one does not know.  A regency that
 * enrolled at the hub since this node last fetched the directory is not in
 * it yet, so the refusal says how old the directory is.  The hub makes its
 * directory afresh for each fetch, so when the one held was issued is when
 * this node last refreshed it (by the hub's clock).
 */
static int
unknown_target(struct desk *d, const char *to, struct sp_err *err)
{
	char	 when[UTIL_TIME_LEN];
	int64_t	 issued;

	if (d->hub[0] == '\0')
		return sp_errf(err, SPE_INVALID, "%s is not a peer (add it "
		    "with simpul peer add)", to);
	if ((issued = store_directory_issued(d->store, err)) == -1)
		return -1;
	if (issued == 0)
		snprintf(when, sizeof(when), "never");
	else
		util_time_format(issued, d->offset, when);
	return sp_errf(err, SPE_INVALID, "%s is not a peer nor in the hub's "
	    "directory (last refreshed %s; simpul sync refreshes it, or add "
	    "it with simpul peer add)", to, when);
}

static int
check_target(struct desk *d, const char *to, struct sp_err *err)
{
	int		 known;

	if (!util_node_code_valid(to))
		return sp_errf(err, SPE_INVALID, "'%s' is not hub or a region "
		    "code such as 33.28", to);
	if (strcmp(to, d->node) == 0)
		return sp_errf(err, SPE_INVALID, "%s is this node itself", to);
	if ((known = node_knows(d->store, to, err)) == -1)
		return -1;
	if (!known)
		return unknown_target(d, to, err);
	/* Enrolled at the hub: a peer from now on, reached through it. */
	if (known == 2)
		return store_peer_add(d->store, to, NULL, util_now(), err);
	return 0;
}

/* The events one can record with a plain ID and options. */
static const struct action {
	const char	*name;
	enum event_kind	 kind;
	unsigned	 allowed;
	unsigned	 need;
} actions[] = {
	{ "verify", EV_VERIFIED, O_REASON, 0 },
	{ "accept", EV_ACCEPTED, O_REASON, 0 },
	{ "recall", EV_RECALL_REQUEST, O_REASON, 0 },
	{ "extend", EV_EXTENDED, O_REASON, 0 },
	{ "resolve", EV_RESOLVED, O_REASON, 0 },
	{ "reopen", EV_REOPENED, O_REASON, 0 },
	{ "close", EV_CLOSED, O_REASON, 0 },
	{ "postpone", EV_POSTPONED, O_REASON, O_REASON },
	{ "archive", EV_ARCHIVED, O_REASON, O_REASON },
	{ "return", EV_RETURNED, O_REASON, O_REASON },
	{ "dispatch", EV_DISPATCHED, O_UNIT | O_OFFICER, O_UNIT },
	{ "forward", EV_FORWARDED, O_TO | O_REASON, O_TO },
	{ "follow-up", EV_FOLLOWED_UP, O_TEXT, O_TEXT },
	{ "note", EV_NOTE, O_TEXT, O_TEXT },
	{ "reply", EV_REPORTER_REPLY, O_TEXT, O_TEXT },
	{ "rate", EV_RATING, O_STARS, O_STARS },
	{ "arrived", EV_ARRIVED, 0, 0 },
};

static int
act(struct cli *cli, const struct action *ac, int argc, char **argv,
    struct sp_err *err)
{
	struct args		 a;
	struct desk		 d;
	struct complaint_state	 s;
	struct event		 e;
	long long		 stars = 0;
	int			 rc = -1;

	if (parse(argc, argv, ac->allowed, ac->need, 1, &a, err) == -1)
		return -1;
	if ((a.given & O_STARS) && util_parse_int(val(&a, O_STARS), 1, 5,
	    &stars, "--stars", err) == -1) {
		err->code = SPE_USAGE;
		return -1;
	}
	memset(&e, 0, sizeof(e));
	e.kind = ac->kind;
	e.reason = (char *)val(&a, O_REASON);
	e.text = (char *)val(&a, O_TEXT);
	e.unit = (char *)val(&a, O_UNIT);
	e.officer = (char *)val(&a, O_OFFICER);
	e.stars = (int)stars;
	if (val(&a, O_TO) != NULL)
		snprintf(e.to, sizeof(e.to), "%s", val(&a, O_TO));
	if (open_desk(cli, &d, err) == -1 ||
	    desk_load(&d, a.id, &s, err) == -1)
		goto out;
	if (ac->kind == EV_FORWARDED && check_target(&d, val(&a, O_TO),
	    err) == -1)
		goto out;
	/* recall: the target answers a forwarder's request (DESIGN §3). */
	if (ac->kind == EV_RECALL_REQUEST && s.phase == PH_FORWARDED &&
	    strcmp(s.owner, d.node) == 0)
		e.kind = EV_RECALLED;
	if (desk_record(&d, &s, &e, err) == -1 || cli_commit(cli, err) == -1)
		goto out;
	if (event_is_chain(e.kind))
		printf("%s: %s (v%d), now %s, owner %s\n", s.id,
		    event_kind_name(e.kind), e.v,
		    complaint_status_name(complaint_status(&s)), s.owner);
	else
		printf("%s: %s recorded\n", s.id, event_kind_name(e.kind));
	rc = 0;
out:
	desk_clear(&d);
	return rc;
}

static int
mark(struct cli *cli, int argc, char **argv, struct sp_err *err)
{
	struct args		 a;
	struct desk		 d;
	struct complaint_state	 s;
	struct event		 e;
	int			 rc = -1;

	if (parse(argc, argv, O_ANON | O_CONF, 0, 1, &a, err) == -1)
		return -1;
	if ((a.given & (O_ANON | O_CONF)) == 0 ||
	    (a.given & (O_ANON | O_CONF)) == (O_ANON | O_CONF))
		return cli_usage_err("complaint", err, "mark takes "
		    "--anonymous or --confidential");
	if (open_desk(cli, &d, err) == -1 ||
	    desk_load(&d, a.id, &s, err) == -1)
		goto out;
	if (a.given & O_CONF) {
		memset(&e, 0, sizeof(e));
		e.kind = EV_CONFIDENTIAL;
		if (desk_record(&d, &s, &e, err) == -1)
			goto out;
	} else {
		/* Identity lives at the origin only: so does anonymity. */
		if (strcmp(s.origin, d.node) != 0) {
			sp_errf(err, SPE_PERMISSION, "%s: only its origin %s "
			    "marks it anonymous", s.id, s.origin);
			goto out;
		}
		if (s.anonymous) {
			sp_errf(err, SPE_TRANSITION, "%s is already "
			    "anonymous", s.id);
			goto out;
		}
		s.anonymous = 1;
		if (desk_save(&d, &s, err) == -1)
			goto out;
	}
	if (cli_commit(cli, err) == -1)
		goto out;
	printf("%s: marked %s\n", s.id, (a.given & O_CONF) ? "confidential" :
	    "anonymous");
	rc = 0;
out:
	desk_clear(&d);
	return rc;
}

static int
erase_reporter(struct cli *cli, int argc, char **argv, struct sp_err *err)
{
	struct args		 a;
	struct desk		 d;
	struct complaint_state	 s;
	struct store_reporter	 r;
	int			 rc = -1, found;

	if (parse(argc, argv, 0, 0, 1, &a, err) == -1)
		return -1;
	if (open_desk(cli, &d, err) == -1 ||
	    desk_load(&d, a.id, &s, err) == -1)
		goto out;
	if (strcmp(s.origin, d.node) != 0) {
		sp_errf(err, SPE_PERMISSION, "%s: identity lives only at its "
		    "origin %s", s.id, s.origin);
		goto out;
	}
	if ((found = store_reporter_get(cli->store, s.id, &r, err)) == -1)
		goto out;
	if (found && r.erased_at != 0) {
		sp_errf(err, SPE_TRANSITION, "%s: the reporter's identity was "
		    "already erased", s.id);
		goto out;
	}
	if (store_reporter_erase(cli->store, s.id, d.now, err) == -1 ||
	    cli_commit(cli, err) == -1)
		goto out;
	printf("%s: reporter identity erased\n", s.id);
	rc = 0;
out:
	desk_clear(&d);
	return rc;
}

/* ---- list ---------------------------------------------------------- */

struct list_ctx {
	struct desk	*d;
	struct args	*a;
	struct fmt	 w;
	struct sp_err	*err;
	int		 n;
};

/* The names of the overdue clocks of complaint id, comma-separated. */
static int
overdue_names(struct desk *d, const char *id, char *out, size_t size,
    struct sp_err *err)
{
	struct complaint_state	 s;
	struct clock		 c[CLK_MAX];
	size_t			 n, i;

	out[0] = '\0';
	if (desk_load(d, id, &s, err) == -1 ||
	    desk_clocks(d, &s, c, &n, err) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (c[i].state == CLS_OVERDUE) {
			if (out[0] != '\0')
				append(out, ",", size);
			append(out, clock_name_str(c[i].name), size);
		}
	return 0;
}

/* One line of text for a table cell: no tabs or newlines. */
static void
cell(const char *s, int width)
{
	int	 n = 0;

	for (; s != NULL && *s != '\0'; s++, n++)
		putchar(*s == '\n' || *s == '\t' || *s == '\r' ? ' ' : *s);
	for (; n < width; n++)
		putchar(' ');
}

static int
list_one(void *arg, const struct store_complaint *c)
{
	struct list_ctx	*l = arg;
	char		 over[128], t[UTIL_TIME_LEN];

	if (l->a->given & O_OVERDUE) {
		if (overdue_names(l->d, c->id, over, sizeof(over), l->err)
		    == -1)
			return -1;
		if (over[0] == '\0')
			return 0;
	}
	l->n++;
	util_time_format(c->filed_at, l->d->offset, t);
	if (l->a->format == FMT_TABLE) {
		printf("%-14s %-12s %-6s %-14s %-10s %s ", c->id, c->status,
		    c->owner, c->channel, c->category ? c->category : "-", t);
		if (l->a->given & O_OVERDUE)
			printf("%-33s ", over);
		cell(c->title, 0);
		putchar('\n');
		return 0;
	}
	fmt_obj_begin(&l->w, "complaint");
	fmt_str(&l->w, "id", c->id);
	fmt_str(&l->w, "status", c->status);
	fmt_str(&l->w, "owner", c->owner);
	fmt_str(&l->w, "origin", c->origin);
	fmt_str(&l->w, "type", c->type);
	fmt_str(&l->w, "channel", c->channel);
	fmt_str(&l->w, "category", c->category);
	fmt_str(&l->w, "title", c->title);
	fmt_str(&l->w, "filed_at", t);
	fmt_bool(&l->w, "confidential", c->confidential);
	if (l->a->given & O_OVERDUE)
		fmt_str(&l->w, "overdue", over);
	fmt_obj_end(&l->w, "complaint");
	return 0;
}

static int
list(struct cli *cli, int argc, char **argv, struct sp_err *err)
{
	struct args		 a;
	struct desk		 d;
	struct store_filter	 f;
	struct list_ctx		 l;
	int			 rc = -1;

	if (parse(argc, argv, O_STATUS | O_OVERDUE | O_CHANNEL | O_CATEGORY |
	    O_OWNER | O_FORMAT, 0, 0, &a, err) == -1)
		return -1;
	memset(&f, 0, sizeof(f));
	f.status = val(&a, O_STATUS);
	f.channel = val(&a, O_CHANNEL);
	f.category = val(&a, O_CATEGORY);
	f.owner = val(&a, O_OWNER);
	if (f.status != NULL && complaint_status_by_name(f.status) == CS_MAX)
		return cli_usage_err("complaint", err, "--status must be new, "
		    "verified, postponed, in_progress, resolved, closed or "
		    "archived");
	if (f.channel != NULL && channel_by_name(f.channel) == CH_MAX)
		return cli_usage_err("complaint", err, "unknown --channel '%s'",
		    f.channel);
	/* list writes what auto-close found, before it reads. */
	if (open_desk_read(cli, &d, err) == -1 ||
	    desk_autoclose(&d, err) == -1)
		goto out;
	memset(&l, 0, sizeof(l));
	l.d = &d;
	l.a = &a;
	l.err = err;
	if (a.format == FMT_TABLE) {
		printf("%-14s %-12s %-6s %-14s %-10s %-25s ", "ID", "STATUS",
		    "OWNER", "CHANNEL", "CATEGORY", "FILED");
		if (a.given & O_OVERDUE)
			printf("%-33s ", "OVERDUE");
		printf("TITLE\n");
	} else {
		fmt_init(&l.w, stdout, a.format);
		fmt_list_begin(&l.w, "complaints", "complaint");
	}
	if (store_complaint_each(cli->store, &f, list_one, &l, err) == -1)
		goto out;
	if (a.format != FMT_TABLE) {
		fmt_list_end(&l.w, "complaints");
		fmt_end(&l.w);
	}
	rc = cli_commit(cli, err);
out:
	desk_clear(&d);
	return rc;
}

/* ---- show ---------------------------------------------------------- */

struct show_ctx {
	struct desk	*d;
	struct args	*a;
	struct fmt	 w;
};

/* What an event says besides its kind, for the table. */
static void
detail(const struct event *e, char *out, size_t size)
{
	char	 stars[16];

	out[0] = '\0';
	if (e->to[0] != '\0') {
		append(out, "to ", size);
		append(out, e->to, size);
		append(out, " ", size);
	}
	if (e->unit != NULL) {
		append(out, "unit ", size);
		append(out, e->unit, size);
		append(out, " ", size);
	}
	if (e->officer != NULL) {
		append(out, "officer ", size);
		append(out, e->officer, size);
		append(out, " ", size);
	}
	if (e->kind == EV_RATING) {
		snprintf(stars, sizeof(stars), "%d stars ", e->stars);
		append(out, stars, size);
	}
	if (e->reason != NULL) {
		append(out, "reason: ", size);
		append(out, e->reason, size);
		append(out, " ", size);
	}
	if (e->text != NULL) {
		append(out, "text: ", size);
		append(out, e->text, size);
	}
}

static int
show_event(void *arg, const struct event *e)
{
	struct show_ctx	*sc = arg;
	char		 id[48], t[UTIL_TIME_LEN], det[512];
	size_t		 n;

	snprintf(id, sizeof(id), "%s:%lld", e->author, (long long)e->seq);
	if (sc->a->format == FMT_TABLE) {
		util_time_format(e->at, sc->d->offset, t);
		detail(e, det, sizeof(det));
		n = strlen(det);
		while (n > 0 && det[n - 1] == ' ')
			det[--n] = '\0';
		printf("  %-12s %-3d %-15s %s  %s%s", id, e->v,
		    event_kind_name(e->kind), t, e->actor, n ? "  " : "");
		cell(det, 0);
		putchar('\n');
		return 0;
	}
	fmt_obj_begin(&sc->w, "event");
	fmt_str(&sc->w, "id", id);
	fmt_str(&sc->w, "kind", event_kind_name(e->kind));
	fmt_int(&sc->w, "v", e->v);
	fmt_str(&sc->w, "author", e->author);
	fmt_str(&sc->w, "actor", e->actor);
	fmt_time(&sc->w, "at", e->at, sc->d->offset);
	fmt_time(&sc->w, "recorded", e->recorded, sc->d->offset);
	if (e->reason != NULL)
		fmt_str(&sc->w, "reason", e->reason);
	if (e->text != NULL)
		fmt_str(&sc->w, "text", e->text);
	if (e->unit != NULL)
		fmt_str(&sc->w, "unit", e->unit);
	if (e->officer != NULL)
		fmt_str(&sc->w, "officer", e->officer);
	if (e->to[0] != '\0')
		fmt_str(&sc->w, "to", e->to);
	if (e->kind == EV_RATING)
		fmt_int(&sc->w, "stars", e->stars);
	fmt_obj_end(&sc->w, "event");
	return 0;
}

static int
show_reveal(void *arg, const char *actor, int64_t at)
{
	struct show_ctx	*sc = arg;
	char		 t[UTIL_TIME_LEN];

	if (sc->a->format == FMT_TABLE) {
		util_time_format(at, sc->d->offset, t);
		printf("  %s %s\n", t, actor);
		return 0;
	}
	fmt_obj_begin(&sc->w, "reveal");
	fmt_str(&sc->w, "actor", actor);
	fmt_time(&sc->w, "at", at, sc->d->offset);
	fmt_obj_end(&sc->w, "reveal");
	return 0;
}

/*
 * What may be said about the reporter here (DESIGN §7): the identity
 * itself only with --reveal at the origin; otherwise whether there is one.
 */
static const char *
reporter_note(const struct complaint_state *s, const struct desk *d,
    int found, const struct store_reporter *r)
{
	if (strcmp(s->origin, d->node) != 0)
		return "held only at the origin";
	if (found && r->erased_at != 0)
		return "erased";
	if (!found || (r->name == NULL && r->contact == NULL &&
	    r->nik == NULL))
		return "none given";
	if (s->anonymous)
		return "anonymous (hidden; show --reveal at this desk)";
	return "hidden (show --reveal)";
}

static void
show_field(struct show_ctx *sc, const char *k, const char *v)
{
	if (sc->a->format == FMT_TABLE)
		printf("%-14s %s\n", k, v ? v : "-");
	else
		fmt_str(&sc->w, k, v);
}

static int
show_clocks(struct show_ctx *sc, const struct complaint_state *s,
    struct sp_err *err)
{
	struct clock	 c[CLK_MAX];
	size_t		 n, i;
	char		 due[UTIL_TIME_LEN], met[UTIL_TIME_LEN];

	if (desk_clocks(sc->d, s, c, &n, err) == -1)
		return -1;
	if (sc->a->format == FMT_TABLE)
		printf("clocks\n");
	else
		fmt_list_begin(&sc->w, "clocks", "clock");
	for (i = 0; i < n; i++) {
		if (sc->a->format == FMT_TABLE) {
			util_time_format(c[i].due, sc->d->offset, due);
			if (c[i].met != 0)
				util_time_format(c[i].met, sc->d->offset, met);
			printf("  %-20s %-9s due %s%s%s\n",
			    clock_name_str(c[i].name),
			    clock_state_str(c[i].state), due,
			    c[i].met ? "  met " : "", c[i].met ? met : "");
			continue;
		}
		fmt_obj_begin(&sc->w, "clock");
		fmt_str(&sc->w, "name", clock_name_str(c[i].name));
		fmt_str(&sc->w, "state", clock_state_str(c[i].state));
		fmt_time(&sc->w, "start", c[i].start, sc->d->offset);
		fmt_time(&sc->w, "due", c[i].due, sc->d->offset);
		fmt_time(&sc->w, "met", c[i].met, sc->d->offset);
		fmt_obj_end(&sc->w, "clock");
	}
	if (sc->a->format != FMT_TABLE)
		fmt_list_end(&sc->w, "clocks");
	return 0;
}

static int
show(struct cli *cli, int argc, char **argv, struct sp_err *err)
{
	struct args		 a;
	struct desk		 d;
	struct complaint_state	 s;
	struct store_complaint	 c;
	struct store_reporter	 r;
	struct show_ctx		 sc;
	char			 t[UTIL_TIME_LEN];
	char			*name = NULL, *contact = NULL, *nik = NULL;
	const char		*note;
	int			 rc = -1, found, reveal;

	if (parse(argc, argv, O_REVEAL | O_FORMAT, 0, 1, &a, err) == -1)
		return -1;
	reveal = (a.given & O_REVEAL) != 0;
	/* A reveal is logged: it needs a database it can write. */
	if ((reveal ? open_desk(cli, &d, err) : open_desk_read(cli, &d,
	    err)) == -1 || desk_autoclose(&d, err) == -1 ||
	    desk_load(&d, a.id, &s, err) == -1)
		goto out;
	if (reveal && strcmp(s.origin, d.node) != 0) {
		sp_errf(err, SPE_PERMISSION, "%s: the reporter's identity "
		    "lives only at its origin %s", s.id, s.origin);
		goto out;
	}
	if ((found = store_reporter_get(cli->store, s.id, &r, err)) == -1)
		goto out;
	note = reporter_note(&s, &d, found, &r);
	if (reveal && found && r.erased_at == 0) {
		name = r.name ? xstrdup(r.name) : NULL;
		contact = r.contact ? xstrdup(r.contact) : NULL;
		nik = r.nik ? xstrdup(r.nik) : NULL;
		if (store_reveal_log(cli->store, s.id, d.actor, d.now,
		    err) == -1)
			goto out;
	}
	if ((found = store_complaint_get(cli->store, s.id, &c, err)) != 1) {
		if (found == 0)
			sp_errf(err, SPE_NOT_FOUND, "no complaint %s", s.id);
		goto out;
	}
	memset(&sc, 0, sizeof(sc));
	sc.d = &d;
	sc.a = &a;
	if (a.format != FMT_TABLE) {
		fmt_init(&sc.w, stdout, a.format);
		fmt_obj_begin(&sc.w, "complaint");
	}
	util_time_format(c.filed_at, d.offset, t);
	show_field(&sc, "id", c.id);
	show_field(&sc, "status", c.status);
	show_field(&sc, "owner", c.owner);
	show_field(&sc, "origin", c.origin);
	show_field(&sc, "type", c.type);
	show_field(&sc, "channel", c.channel);
	show_field(&sc, "category", c.category);
	show_field(&sc, "title", c.title);
	show_field(&sc, "body", c.body);
	show_field(&sc, "location", c.location_text);
	show_field(&sc, "filed_at", t);
	if (a.format == FMT_TABLE) {
		show_field(&sc, "anonymous", s.anonymous ? "yes" : "no");
		show_field(&sc, "confidential", s.confidential ? "yes" : "no");
	} else {
		fmt_bool(&sc.w, "anonymous", s.anonymous);
		fmt_bool(&sc.w, "confidential", s.confidential);
	}
	if (reveal && found && r.erased_at == 0) {
		show_field(&sc, "reporter", "revealed (logged)");
		show_field(&sc, "reporter_name", name);
		show_field(&sc, "reporter_contact", contact);
		show_field(&sc, "reporter_nik", nik);
	} else
		show_field(&sc, "reporter", note);
	if (a.format == FMT_TABLE)
		printf("events\n");
	else
		fmt_list_begin(&sc.w, "events", "event");
	if (store_event_each(cli->store, s.id, show_event, &sc, err) == -1)
		goto out;
	if (a.format != FMT_TABLE)
		fmt_list_end(&sc.w, "events");
	if (show_clocks(&sc, &s, err) == -1)
		goto out;
	if (reveal) {
		if (a.format == FMT_TABLE)
			printf("reveals\n");
		else
			fmt_list_begin(&sc.w, "reveals", "reveal");
		if (store_reveal_each(cli->store, s.id, show_reveal, &sc,
		    err) == -1)
			goto out;
		if (a.format != FMT_TABLE)
			fmt_list_end(&sc.w, "reveals");
	}
	if (a.format != FMT_TABLE) {
		fmt_obj_end(&sc.w, "complaint");
		fmt_end(&sc.w);
	}
	rc = cli_commit(cli, err);
out:
	free(name);
	free(contact);
	free(nik);
	desk_clear(&d);
	return rc;
}

int
cmd_complaint(struct cli *cli, int argc, char **argv, struct sp_err *err)
{
	size_t	 i;

	if (argc < 2)
		return cli_usage_err("complaint", err, "expected a subcommand");
	argc--;
	argv++;
	if (strcmp(argv[0], "file") == 0)
		return file(cli, argc, argv, err);
	if (strcmp(argv[0], "list") == 0)
		return list(cli, argc, argv, err);
	if (strcmp(argv[0], "show") == 0)
		return show(cli, argc, argv, err);
	if (strcmp(argv[0], "mark") == 0)
		return mark(cli, argc, argv, err);
	if (strcmp(argv[0], "erase-reporter") == 0)
		return erase_reporter(cli, argc, argv, err);
	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (strcmp(argv[0], actions[i].name) == 0)
			return act(cli, &actions[i], argc, argv, err);
	return cli_usage_err("complaint", err, "unknown subcommand '%s'",
	    argv[0]);
}
