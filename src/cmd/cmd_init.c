/*
 * cmd_init.c: `simpul init`.  Checks the identity and the certificate, key
 * and CA before anything is created, then creates the database with a new
 * instance id and prints what the node now is.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "core/err.h"
#include "exchange/settings.h"
#include "store/store.h"
#include "wire/trust.h"
#include "core/util.h"
#include "core/xmalloc.h"

static int
absolute(const char *what, const char *path, char **out, struct sp_err *err)
{
	if ((*out = realpath(path, NULL)) == NULL)
		return sp_errf(err, SPE_CERT, "%s %s: not readable", what,
		    path);
	return 0;
}

static void
print_node(const struct settings_identity *id, const char *db,
    const struct trust_certinfo *ci)
{
	printf("node         %s %s (%s, %s)\n", id->code, id->name, id->role,
	    id->zone);
	printf("instance     %s\n", id->instance);
	printf("database     %s\n", db);
	printf("certificate  %s\n", ci->subject);
	printf("  issuer     %s\n", ci->issuer);
	printf("  names      %s\n", ci->san[0] ? ci->san : "(none)");
	printf("  key        %s\n", ci->key_type);
	printf("  valid      %s .. %s\n", ci->not_before, ci->not_after);
	printf("  serial     %s\n", ci->serial);
	printf("  sha256     %s\n", ci->fingerprint);
	printf("  pin        %s\n", ci->spki_pin);
}

int
cmd_init(struct cli *cli, int argc, char **argv, struct sp_err *err)
{
	static const struct option opts[] = {
		{ "node", required_argument, NULL, 'n' },
		{ "name", required_argument, NULL, 'N' },
		{ "role", required_argument, NULL, 'r' },
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "ca", required_argument, NULL, 'a' },
		{ "crl", required_argument, NULL, 'l' },
		{ "hub", required_argument, NULL, 'h' },
		{ "zone", required_argument, NULL, 'z' },
		{ NULL, 0, NULL, 0 }
	};
	struct settings_identity id = { .role = "regency", .zone = "WIB" };
	struct trust_certinfo	 ci;
	const char		*cert = NULL, *key = NULL, *ca = NULL;
	const char		*crl = NULL;
	char			*acert = NULL, *akey = NULL, *aca = NULL;
	char			*acrl = NULL, inst[33];
	uint8_t			 rnd[16];
	int			 c, rc = -1;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n': id.code = optarg; break;
		case 'N': id.name = optarg; break;
		case 'r': id.role = optarg; break;
		case 'c': cert = optarg; break;
		case 'k': key = optarg; break;
		case 'a': ca = optarg; break;
		case 'l': crl = optarg; break;
		case 'h': id.hub = optarg; break;
		case 'z': id.zone = optarg; break;
		default:
			return cli_usage_err("init", err,
			    "unknown or incomplete option '%s'",
			    argv[optind - 1]);
		}
	}
	if (optind != argc)
		return cli_usage_err("init", err, "unexpected argument '%s'",
		    argv[optind]);
	if (id.code == NULL || id.name == NULL || cert == NULL ||
	    key == NULL || ca == NULL)
		return cli_usage_err("init", err, "--node, --name, --cert, "
		    "--key and --ca are required");
	if (cli->db == NULL)
		return sp_errf(err, SPE_USAGE,
		    "no database: give --db FILE or set SIMPUL_DB");
	if (settings_identity_check(&id, err) == -1)
		goto out;
	if (absolute("certificate", cert, &acert, err) == -1 ||
	    absolute("key", key, &akey, err) == -1 ||
	    absolute("CA", ca, &aca, err) == -1 ||
	    (crl != NULL && absolute("CRL", crl, &acrl, err) == -1))
		goto out;
	if (trust_check_node(acert, akey, aca, acrl, id.code, util_now(), &ci,
	    err) == -1)
		goto out;
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		sp_errf(err, SPE_INTERNAL, "no randomness for the instance id");
		goto out;
	}
	util_hex(rnd, sizeof(rnd), inst);
	id.cert = acert;
	id.key = akey;
	id.ca = aca;
	id.crl = acrl;
	id.instance = inst;
	if ((cli->store = store_open(cli->db, STORE_CREATE, err)) == NULL)
		goto out;
	if (store_begin(cli->store, err) == -1 ||
	    settings_init(cli->store, &id, err) == -1 ||
	    store_commit(cli->store, err) == -1) {
		cli_close(cli);
		store_remove(cli->db);
		goto out;
	}
	print_node(&id, cli->db, &ci);
	rc = 0;
out:
	free(acert);
	free(akey);
	free(aca);
	free(acrl);
	return rc;
}
