/*
 * cli.h: the subcommand table and what every cmd_*.c shares: the global
 * options, opening the node's database, and argument helpers.  A handler
 * parses its arguments, calls modules and prints; it holds no business rule.
 */
#ifndef SIMPUL_CLI_H
#define SIMPUL_CLI_H

#include <stdio.h>

struct sp_err;
struct store;

struct cli {
	const char	*db;		/* --db or SIMPUL_DB; may be NULL */
	const char	*actor;		/* --actor, SIMPUL_ACTOR or login */
	int		 verbose;
	struct store	*store;		/* opened by cli_store() */
};

struct cli_cmd {
	const char	*name;
	const char	*synopsis;	/* argument lines, '\n'-separated */
	const char	*summary;	/* one line for --help */
	const char	*description;	/* paragraph for the man page */
	/* Returns 0 or -1 with err filled. */
	int		(*run)(struct cli *, int, char **, struct sp_err *);
};

/* Run simpul with these arguments; returns the exit status (DESIGN §8). */
int			 cli_main(int, char **);
const struct cli_cmd	*cli_find(const char *);
void			 cli_usage(FILE *);
void			 cli_cmd_usage(FILE *, const struct cli_cmd *);
void			 cli_man(FILE *);

/* Open the node's database for reading or writing, once per process. */
#define CLI_READ	0
#define CLI_WRITE	1
int	 cli_store(struct cli *, int mode, struct sp_err *);
/*
 * Open for writing and BEGIN IMMEDIATE.  A handler that fails simply
 * returns -1: cli_close() rolls back, so a refused command changes nothing.
 */
int	 cli_begin(struct cli *, struct sp_err *);
/* SPE_RECOVERING while the node recovers (settings_recovering). */
int	 cli_not_recovering(struct cli *, struct sp_err *);
/* cli_begin() for the node's own configuration: allowed while recovering. */
int	 cli_begin_local(struct cli *, struct sp_err *);
int	 cli_begin_read(struct cli *, struct sp_err *);
int	 cli_commit(struct cli *, struct sp_err *);
void	 cli_close(struct cli *);

/* Fill err with a usage error naming the subcommand's synopsis. */
int	 cli_usage_err(const char *cmd, struct sp_err *, const char *, ...)
	    __attribute__((__format__ (printf, 3, 4)));
/* Reset getopt for the next argument vector. */
void	 cli_getopt_reset(void);

/* The handlers, one file each. */
int	 cmd_init(struct cli *, int, char **, struct sp_err *);
int	 cmd_config(struct cli *, int, char **, struct sp_err *);
int	 cmd_calendar(struct cli *, int, char **, struct sp_err *);
int	 cmd_category(struct cli *, int, char **, struct sp_err *);
int	 cmd_backup(struct cli *, int, char **, struct sp_err *);
int	 cmd_doctor(struct cli *, int, char **, struct sp_err *);
int	 cmd_user(struct cli *, int, char **, struct sp_err *);
int	 cmd_peer(struct cli *, int, char **, struct sp_err *);
int	 cmd_serve(struct cli *, int, char **, struct sp_err *);
int	 cmd_sync_status(struct cli *, int, char **, struct sp_err *);
int	 cmd_complaint(struct cli *, int, char **, struct sp_err *);
int	 cmd_verify(struct cli *, int, char **, struct sp_err *);
int	 cmd_exchange(struct cli *, int, char **, struct sp_err *);
int	 cmd_archive(struct cli *, int, char **, struct sp_err *);
int	 cmd_audit(struct cli *, int, char **, struct sp_err *);
int	 cmd_metrics(struct cli *, int, char **, struct sp_err *);
int	 cmd_recover(struct cli *, int, char **, struct sp_err *);
int	 cmd_schemas(struct cli *, int, char **, struct sp_err *);

#endif
