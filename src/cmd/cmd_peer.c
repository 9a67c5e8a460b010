/*
 * cmd_peer.c: `simpul peer add CODE [URL] [--pin SHA256]... | list |
 * remove CODE | reenrol CODE`.  A pin is the base64 SHA-256 of the peer's
 * public key (curl's sha256// form is accepted too).
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "core/err.h"
#include "exchange/settings.h"
#include "store/store.h"
#include "core/util.h"

static const char *
pin_value(const char *pin, struct sp_err *err)
{
	size_t	 i;

	if (strncmp(pin, "sha256//", 8) == 0)
		pin += 8;
	/* 32 bytes in base64: 43 characters and one '='. */
	for (i = 0; i < 43; i++)
		if (!isalnum((unsigned char)pin[i]) && pin[i] != '+' &&
		    pin[i] != '/')
			break;
	if (i != 43 || strcmp(pin + 43, "=") != 0) {
		sp_errf(err, SPE_INVALID, "pin '%s' is not a base64 SHA-256 "
		    "(44 characters)", pin);
		return NULL;
	}
	return pin;
}

static int
check_code(struct cli *cli, const char *code, struct sp_err *err)
{
	char	*own;
	int	 same;

	if (!util_node_code_valid(code))
		return sp_errf(err, SPE_INVALID, "'%s' is not hub or a region "
		    "code such as 33.28", code);
	if (settings_get(cli->store, "node.code", &own, err) == -1)
		return -1;
	same = strcmp(own, code) == 0;
	free(own);
	if (same)
		return sp_errf(err, SPE_INVALID, "%s is this node itself",
		    code);
	return 0;
}

static int
add(struct cli *cli, int argc, char **argv, struct sp_err *err)
{
	const char	*code = NULL, *url = NULL, *pins[8], *p;
	int		 npins = 0, i;

	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--pin") == 0) {
			if (++i == argc)
				return cli_usage_err("peer", err,
				    "--pin needs a value");
			if (npins == 8)
				return cli_usage_err("peer", err,
				    "at most 8 pins");
			if ((p = pin_value(argv[i], err)) == NULL)
				return -1;
			pins[npins++] = p;
		} else if (argv[i][0] == '-')
			return cli_usage_err("peer", err,
			    "unknown option '%s'", argv[i]);
		else if (code == NULL)
			code = argv[i];
		else if (url == NULL)
			url = argv[i];
		else
			return cli_usage_err("peer", err,
			    "unexpected argument '%s'", argv[i]);
	}
	if (code == NULL)
		return cli_usage_err("peer", err, "add needs a CODE");
	if (url != NULL && (strncmp(url, "https://", 8) != 0 ||
	    strlen(url) <= 8 || strlen(url) > 512))
		return sp_errf(err, SPE_INVALID, "'%s' is not an https:// URL",
		    url);
	if (cli_begin_local(cli, err) == -1 || check_code(cli, code, err) == -1 ||
	    store_peer_add(cli->store, code, url, util_now(), err) == -1)
		return -1;
	for (i = 0; i < npins; i++)
		if (store_peer_pin_add(cli->store, code, pins[i], err) == -1)
			return -1;
	if (cli_commit(cli, err) == -1)
		return -1;
	printf("added peer %s%s%s\n", code, url ? " at " : " (through the hub)",
	    url ? url : "");
	return 0;
}

static int
print_peer(void *arg, const struct store_peer *p, const char *pins)
{
	(void)arg;
	printf("%-14s %-36s %s\n", p->code, p->url ? p->url : "(via hub)",
	    pins ? pins : "-");
	return 0;
}

int
cmd_peer(struct cli *cli, int argc, char **argv, struct sp_err *err)
{
	if (argc >= 2 && strcmp(argv[1], "add") == 0)
		return add(cli, argc, argv, err);
	if (argc == 2 && strcmp(argv[1], "list") == 0) {
		if (cli_store(cli, CLI_READ, err) == -1)
			return -1;
		printf("%-14s %-36s %s\n", "CODE", "URL", "PINS");
		return store_peer_each(cli->store, print_peer, NULL, err);
	}
	if (argc == 3 && strcmp(argv[1], "remove") == 0) {
		if (cli_begin_local(cli, err) == -1 ||
		    store_peer_remove(cli->store, argv[2], err) == -1 ||
		    cli_commit(cli, err) == -1)
			return -1;
		printf("removed peer %s\n", argv[2]);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "reenrol") == 0) {
		if (cli_begin_local(cli, err) == -1 ||
		    store_peer_reenrol(cli->store, argv[2], err) == -1 ||
		    cli_commit(cli, err) == -1)
			return -1;
		printf("peer %s will be enrolled again at its next contact\n",
		    argv[2]);
		return 0;
	}
	return cli_usage_err("peer", err, "expected add, list, remove or "
	    "reenrol");
}
