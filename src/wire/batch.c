/*
 * batch.c: the wire vocabulary, from bytes to structs and back.  With
 * dsig.c it is the only libxml2 user.  It owns:
 *
 *  - limits before parsing (bytes) and while parsing (items, item bytes,
 *    depth), counted by SAX hooks so that a hostile document never becomes
 *    a big tree;
 *  - the refusal of DOCTYPE (hence every entity and external reference),
 *    comments and processing instructions, byte-order marks and declared
 *    encodings other than UTF-8.  Comments matter most: with URI="" and
 *    exclusive C14N they are outside the signature (notes §3.5), so a
 *    comment slipped into a text would change what we read without
 *    changing what was signed;
 *  - schema validation (schemas/batch.xsd, receipt.xsd, directory.xsd,
 *    built into the binary by the generated schemas.c) of every document
 *    accepted and emitted, and the payload rules XSD 1.0 cannot say;
 *  - reading items into struct event / struct receipt / struct directory,
 *    and writing them.
 *
 * It does not own signatures (dsig.c) nor trust (trust.c).  It never
 * re-serializes a document it parsed: the exact bytes are kept and are
 * what is digested, stored and sent.
 *
 * libxml2 is used with XML_PARSE_NONET only: never NOENT, DTDLOAD, HUGE,
 * RECOVER, XINCLUDE (notes §4.1), and the process-global error handler is
 * replaced by one that keeps the first message for sp_err.  While the
 * schemas load, the external entity loader serves only their own names.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>
#include <openssl/sha.h>

#include "wire/batch.h"
#include "core/err.h"
#include "core/util.h"
#include "core/xmalloc.h"

#define DS_NS		"http://www.w3.org/2000/09/xmldsig#"
#define TITLE_MAX	300
#define TEXT_MAX	(8 * 1024)
#define SCHEMA_MAX_BYTES (1024 * 1024)	/* one file from SIMPUL_SCHEMAS */

struct batch {
	uint8_t			*bytes;	/* exact bytes, NUL-terminated */
	size_t			 len;
	xmlDocPtr		 doc;
	enum batch_kind		 kind;
	struct batch_header	 hdr;
	char			 signer[16];
	xmlNodePtr		*items;	/* element children of the root */
	size_t			 nitems;
};

/* What the SAX hooks count while parsing one document. */
struct parse_state {
	const struct batch_limits *lim;
	struct sp_err		*err;		/* first refusal */
	int			 depth;
	size_t			 nitems;
	size_t			 nsigs;		/* ds:* children of the root */
	long			 mark;	/* offset where the item began */
};

static xmlSchemaPtr	 schema_batch, schema_receipt, schema_directory;
static char		 lib_msg[200];		/* first libxml2 message */

static startElementNsSAX2Func	sax2_start;
static endElementNsSAX2Func	sax2_end;

static const char *const receipt_kinds[RECEIPT_MAX] = { "relay", "final" };
static const char *const outcomes[OUTCOME_MAX] = {
	"applied", "duplicate", "held", "refused",
};

/*
 * Which payload each kind carries: R required, O optional, absent: not
 * allowed.  The rules batch.xsd cannot state; see its <event> comment.
 */
enum { P_FILED, P_REASON, P_UNIT, P_OFFICER, P_TEXT, P_TO, P_STARS, P_MAX };
static const char payload[EV_MAX][P_MAX] = {
	[EV_FILED] =		{ 'R' },
	/* The desk takes an optional --reason for these too. */
	[EV_VERIFIED] =		{ [P_REASON] = 'O' },
	[EV_EXTENDED] =		{ [P_REASON] = 'O' },
	[EV_ACCEPTED] =		{ [P_REASON] = 'O' },
	[EV_RESOLVED] =		{ [P_REASON] = 'O' },
	[EV_REOPENED] =		{ [P_REASON] = 'O' },
	[EV_POSTPONED] =	{ [P_REASON] = 'R' },
	[EV_ARCHIVED] =		{ [P_REASON] = 'R' },
	[EV_DISPATCHED] =	{ [P_UNIT] = 'R', [P_OFFICER] = 'O' },
	[EV_FOLLOWED_UP] =	{ [P_TEXT] = 'R' },
	[EV_FORWARDED] =	{ [P_REASON] = 'O', [P_TO] = 'R' },
	[EV_RECALLED] =		{ [P_REASON] = 'O' },
	[EV_RETURNED] =		{ [P_REASON] = 'R' },
	[EV_CLOSED] =		{ [P_REASON] = 'O' },
	[EV_NOTE] =		{ [P_TEXT] = 'R' },
	[EV_RECALL_REQUEST] =	{ [P_REASON] = 'O' },
	[EV_REPORTER_REPLY] =	{ [P_TEXT] = 'R' },
	[EV_RATING] =		{ [P_STARS] = 'R' },
};
static const char *const payload_names[P_MAX] = {
	"<filed>", "<reason>", "<unit>", "<officer>", "<text>", "@to",
	"@stars",
};

void
batch_limits_default(struct batch_limits *lim)
{
	lim->max_bytes = BATCH_MAX_BYTES;
	lim->max_items = BATCH_MAX_ITEMS;
	lim->max_item_bytes = BATCH_MAX_ITEM_BYTES;
	lim->max_depth = BATCH_MAX_DEPTH;
}

const char *
receipt_kind_name(enum receipt_kind k)
{
	return k < RECEIPT_MAX ? receipt_kinds[k] : "unknown";
}

const char *
item_outcome_name(enum item_outcome o)
{
	return o < OUTCOME_MAX ? outcomes[o] : "unknown";
}

void
receipt_clear(struct receipt *r)
{
	size_t	 i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nresults; i++)
		free(r->results[i].detail);
	free(r->results);
	r->results = NULL;
	r->nresults = 0;
}

int
receipt_slice(const struct receipt *r, size_t from, size_t n,
    struct receipt *out)
{
	size_t	 i;

	if (from > r->nresults || n > r->nresults - from)
		return -1;
	*out = *r;
	out->results = n > 0 ? xcalloc(n, sizeof(*out->results)) : NULL;
	out->nresults = n;
	for (i = 0; i < n; i++) {
		out->results[i] = r->results[from + i];
		if (r->results[from + i].detail != NULL)
			out->results[i].detail =
			    xstrdup(r->results[from + i].detail);
	}
	return 0;
}

/* ---- libxml2 set-up ---------------------------------------------------- */

/* Keep the first message of an operation; never print. */
static void
keep_error(void *ctx, xmlErrorPtr e)
{
	char	*nl;

	(void)ctx;
	if (lib_msg[0] != '\0' || e == NULL || e->message == NULL)
		return;
	if (e->line > 0)
		snprintf(lib_msg, sizeof(lib_msg), "line %d: %s", e->line,
		    e->message);
	else
		snprintf(lib_msg, sizeof(lib_msg), "%s", e->message);
	if ((nl = strchr(lib_msg, '\n')) != NULL)
		*nl = '\0';
}

static const char *
take_msg(void)
{
	static char	 msg[sizeof(lib_msg)];

	snprintf(msg, sizeof(msg), "%s", lib_msg[0] ? lib_msg : "no detail");
	lib_msg[0] = '\0';
	return msg;
}

/* ---- the schemas ------------------------------------------------------- */

/*
 * The schemas are parsed from memory: the copies built into the binary
 * (batch_schemas[]), or with SIMPUL_SCHEMAS=DIR, for development, the
 * files of the same names in DIR.  Their xs:include of one another is
 * served from the same place by schema_entity(), which refuses any other
 * name, so loading them reaches neither the network nor any other file.
 */

/* SIMPUL_SCHEMAS, or NULL for the built-in schemas. */
static const char *
schema_override(void)
{
	const char	*d = getenv("SIMPUL_SCHEMAS");

	return (d != NULL && *d != '\0') ? d : NULL;
}

/*
 * The bytes of the schema called name: borrowed from batch_schemas[], or
 * read from SIMPUL_SCHEMAS/name into raw (initialised here either way;
 * the caller clears it).  -1 for a name not built in, or a file not read.
 */
static int
schema_bytes(const char *name, struct buf *raw, const uint8_t **p,
    size_t *len, struct sp_err *err)
{
	const struct batch_schema	*s;
	const char			*dir;
	char				*path;
	int				 rc;

	buf_init(raw, SCHEMA_MAX_BYTES);
	for (s = batch_schemas; s->name != NULL; s++)
		if (strcmp(s->name, name) == 0)
			break;
	if (s->name == NULL)
		return sp_errf(err, SPE_INVALID, "refused to load '%s': not "
		    "one of simpul's schemas", name);
	if ((dir = schema_override()) == NULL) {
		*p = s->bytes;
		*len = s->len;
		return 0;
	}
	path = xasprintf("%s/%s", dir, name);
	rc = util_read_file(path, SCHEMA_MAX_BYTES, raw, err);
	free(path);
	*p = raw->data;
	*len = raw->len;
	return rc;
}

/*
 * The external entity loader while the schemas load: an xs:include
 * names a sibling schema, served like the one including it.  Anything
 * else is refused, and why is kept as the operation's first message.
 */
static xmlParserInputPtr
schema_entity(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	xmlParserInputBufferPtr	 in;
	xmlParserInputPtr	 input = NULL;
	struct sp_err		 err = { 0 };
	struct buf		 raw;
	const uint8_t		*p;
	size_t			 len;

	(void)id;
	if (url == NULL)
		return NULL;
	if (schema_bytes(url, &raw, &p, &len, &err) == -1) {
		if (lib_msg[0] == '\0')
			snprintf(lib_msg, sizeof(lib_msg), "%.*s",
			    (int)sizeof(lib_msg) - 1, err.msg);
		buf_clear(&raw);
		return NULL;
	}
	/* The buffer takes a copy of the bytes. */
	if ((in = xmlParserInputBufferCreateMem((const char *)p, (int)len,
	    XML_CHAR_ENCODING_NONE)) != NULL &&
	    (input = xmlNewIOInputStream(ctxt, in,
	    XML_CHAR_ENCODING_NONE)) == NULL)
		xmlFreeParserInputBuffer(in);
	if (input != NULL)
		input->filename = (char *)xmlStrdup((const xmlChar *)url);
	buf_clear(&raw);
	return input;
}

static xmlSchemaPtr
schema_load(const char *name, struct sp_err *err)
{
	xmlSchemaParserCtxtPtr	 pc;
	xmlSchemaPtr		 s = NULL;
	struct sp_err		 inner = { 0 };
	struct buf		 raw;
	const uint8_t		*p;
	const char		*dir = schema_override();
	const char		*hint = " (SIMPUL_SCHEMAS names its directory; "
				    "unset it for the built-in schemas)";
	size_t			 len;

	lib_msg[0] = '\0';
	if (schema_bytes(name, &raw, &p, &len, &inner) == 0 &&
	    (pc = xmlSchemaNewMemParserCtxt((const char *)p,
	    (int)len)) != NULL) {
		xmlSchemaSetParserStructuredErrors(pc, keep_error, NULL);
		s = xmlSchemaParse(pc);
		xmlSchemaFreeParserCtxt(pc);
	}
	buf_clear(&raw);
	if (s != NULL)
		return s;
	if (inner.code != SPE_OK)	/* a file of SIMPUL_SCHEMAS not read */
		sp_errf(err, SPE_INTERNAL, "cannot load the schema %s%s",
		    inner.msg, hint);
	else if (dir != NULL)
		sp_errf(err, SPE_INTERNAL, "cannot load the schema %s/%s: %s%s",
		    dir, name, take_msg(), hint);
	else
		sp_errf(err, SPE_INTERNAL, "cannot load the built-in schema "
		    "%s: %s", name, take_msg());
	return NULL;
}

int
batch_init(struct sp_err *err)
{
	xmlExternalEntityLoader	 prev;
	int			 rc = -1;

	if (schema_batch != NULL)
		return 0;
	xmlInitParser();
	xmlSetStructuredErrorFunc(NULL, keep_error);
	prev = xmlGetExternalEntityLoader();
	xmlSetExternalEntityLoader(schema_entity);
	if ((schema_batch = schema_load("batch.xsd", err)) != NULL &&
	    (schema_receipt = schema_load("receipt.xsd", err)) != NULL &&
	    (schema_directory = schema_load("directory.xsd", err)) != NULL)
		rc = 0;
	xmlSetExternalEntityLoader(prev);
	if (rc == -1)
		batch_shutdown();
	return rc;
}

void
batch_shutdown(void)
{
	xmlSchemaFree(schema_batch);
	xmlSchemaFree(schema_receipt);
	xmlSchemaFree(schema_directory);
	schema_batch = schema_receipt = schema_directory = NULL;
}

/* ---- parsing ------------------------------------------------------------- */

static void
refuse(xmlParserCtxtPtr ctxt, enum sp_code code, const char *what)
{
	struct parse_state	*st = ctxt->_private;

	sp_errf(st->err, code, "%s", what);
	xmlStopParser(ctxt);
}

/* Fires for any DOCTYPE, before its internal subset is read. */
static void
on_doctype(void *ctx, const xmlChar *name, const xmlChar *ext,
    const xmlChar *sys)
{
	(void)name; (void)ext; (void)sys;
	refuse(ctx, SPE_DOCTYPE, "a DOCTYPE is not allowed");
}

static void
on_comment(void *ctx, const xmlChar *value)
{
	(void)value;
	refuse(ctx, SPE_DOCTYPE, "a comment is not allowed (comments are "
	    "not signed)");
}

static void
on_pi(void *ctx, const xmlChar *target, const xmlChar *data)
{
	(void)target; (void)data;
	refuse(ctx, SPE_DOCTYPE, "a processing instruction is not allowed");
}

static void
on_reference(void *ctx, const xmlChar *name)
{
	(void)name;
	refuse(ctx, SPE_DOCTYPE, "an entity reference is not allowed");
}

static void
on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **ns, int nattrs,
    int ndefaulted, const xmlChar **attrs)
{
	xmlParserCtxtPtr	 ctxt = ctx;
	struct parse_state	*st = ctxt->_private;
	char			 msg[80];

	if (++st->depth > st->lim->max_depth) {
		snprintf(msg, sizeof(msg), "elements nested deeper than %d",
		    st->lim->max_depth);
		refuse(ctxt, SPE_TOO_LARGE, msg);
		return;
	}
	if (st->depth == 1)
		st->mark = xmlByteConsumed(ctxt);
	/* The signature is not an item; a few stray ones are the schema's. */
	if (st->depth == 2 && uri != NULL &&
	    strcmp((const char *)uri, DS_NS) == 0) {
		if (++st->nsigs > 4) {
			refuse(ctxt, SPE_TOO_LARGE, "more than 4 signatures");
			return;
		}
	} else if (st->depth == 2 && ++st->nitems > st->lim->max_items) {
		snprintf(msg, sizeof(msg), "more than %zu items",
		    st->lim->max_items);
		refuse(ctxt, SPE_TOO_LARGE, msg);
		return;
	}
	sax2_start(ctx, localname, prefix, uri, nns, ns, nattrs, ndefaulted,
	    attrs);
}

static void
on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri)
{
	xmlParserCtxtPtr	 ctxt = ctx;
	struct parse_state	*st = ctxt->_private;
	long			 now;
	char			 msg[80];

	if (st->depth-- == 2) {
		/* From the end of the previous item: an upper bound. */
		now = xmlByteConsumed(ctxt);
		if (now - st->mark > (long)st->lim->max_item_bytes) {
			snprintf(msg, sizeof(msg), "item %zu is over %zu bytes",
			    st->nitems, st->lim->max_item_bytes);
			refuse(ctxt, SPE_TOO_LARGE, msg);
			return;
		}
		st->mark = now;
	}
	sax2_end(ctx, localname, prefix, uri);
}

int
batch_check_size(size_t len, const struct batch_limits *lim,
    struct sp_err *err)
{
	if (len > lim->max_bytes)
		return sp_errf(err, SPE_TOO_LARGE, "document is %zu bytes, "
		    "limit %zu", len, lim->max_bytes);
	return 0;
}

/* A byte-order mark, UTF-16/32, or bytes that are not UTF-8 text. */
static int
check_start(const uint8_t *buf, size_t len, struct sp_err *err)
{
	if (len >= 2 && ((buf[0] == 0xfe && buf[1] == 0xff) ||
	    (buf[0] == 0xff && buf[1] == 0xfe)))
		return sp_errf(err, SPE_ENCODING, "UTF-16 is not allowed: "
		    "UTF-8 only");
	if (len >= 3 && buf[0] == 0xef && buf[1] == 0xbb && buf[2] == 0xbf)
		return sp_errf(err, SPE_ENCODING, "a byte-order mark is not "
		    "allowed: UTF-8 without BOM only");
	if (len >= 1 && buf[0] == 0)
		return sp_errf(err, SPE_ENCODING, "UTF-16 or UTF-32 is not "
		    "allowed: UTF-8 only");
	if (len == 0)
		return sp_errf(err, SPE_MALFORMED, "empty document");
	/* One pass before libxml2, so every bad byte gets the same answer. */
	if (!util_utf8_valid((const char *)buf, len))
		return sp_errf(err, SPE_ENCODING, "not UTF-8 text (an invalid "
		    "byte sequence, a surrogate or a control character)");
	return 0;
}

/* libxml2's own refusal, sorted into our codes. */
static int
parse_failed(xmlParserCtxtPtr ctxt, struct sp_err *err)
{
	switch (ctxt->errNo) {
	case XML_ERR_INVALID_CHAR:
	case XML_ERR_INVALID_ENCODING:
	case XML_ERR_UNSUPPORTED_ENCODING:
	case XML_ERR_UNKNOWN_ENCODING:
		return sp_errf(err, SPE_ENCODING, "%s", take_msg());
	case XML_ERR_UNDECLARED_ENTITY:
	case XML_WAR_UNDECLARED_ENTITY:
		return sp_errf(err, SPE_DOCTYPE, "%s", take_msg());
	default:
		return sp_errf(err, SPE_MALFORMED, "%s", take_msg());
	}
}

int
batch_parse(const uint8_t *buf, size_t len, const struct batch_limits *lim,
    struct batch **out, struct sp_err *err)
{
	xmlParserCtxtPtr	 ctxt = NULL;
	struct parse_state	 st;
	struct batch		*b = NULL;
	const xmlChar		*enc;
	int			 rc = -1;

	*out = NULL;
	if (batch_check_size(len, lim, err) == -1 ||
	    check_start(buf, len, err) == -1)
		return -1;
	memset(&st, 0, sizeof(st));
	st.lim = lim;
	st.err = err;
	lib_msg[0] = '\0';
	if ((ctxt = xmlCreateMemoryParserCtxt((const char *)buf,
	    (int)len)) == NULL)
		return sp_errf(err, SPE_INTERNAL, "libxml2: %s", take_msg());
	ctxt->_private = &st;
	sax2_start = ctxt->sax->startElementNs;
	sax2_end = ctxt->sax->endElementNs;
	ctxt->sax->internalSubset = on_doctype;
	ctxt->sax->externalSubset = on_doctype;
	ctxt->sax->comment = on_comment;
	ctxt->sax->processingInstruction = on_pi;
	ctxt->sax->reference = on_reference;
	ctxt->sax->startElementNs = on_start;
	ctxt->sax->endElementNs = on_end;
	xmlCtxtUseOptions(ctxt, XML_PARSE_NONET);
	(void)xmlParseDocument(ctxt);
	if (err->code != SPE_OK)	/* a hook refused; it wins */
		goto out;
	if (!ctxt->wellFormed || ctxt->myDoc == NULL) {
		parse_failed(ctxt, err);
		goto out;
	}
	enc = ctxt->myDoc->encoding != NULL ? ctxt->myDoc->encoding :
	    ctxt->encoding;
	if (enc != NULL && strcasecmp((const char *)enc, "UTF-8") != 0) {
		sp_errf(err, SPE_ENCODING, "declared encoding %.40s: UTF-8 "
		    "only", (const char *)enc);
		goto out;
	}
	b = xcalloc(1, sizeof(*b));
	b->bytes = xmalloc(len + 1);
	memcpy(b->bytes, buf, len);
	b->bytes[len] = '\0';
	b->len = len;
	b->doc = ctxt->myDoc;
	ctxt->myDoc = NULL;
	*out = b;
	b = NULL;
	rc = 0;
out:
	if (ctxt != NULL) {
		xmlFreeDoc(ctxt->myDoc);
		ctxt->myDoc = NULL;
		xmlFreeParserCtxt(ctxt);
	}
	lib_msg[0] = '\0';
	return rc;
}

void
batch_free(struct batch *b)
{
	if (b == NULL)
		return;
	xmlFreeDoc(b->doc);
	free(b->items);
	free(b->bytes);
	free(b);
}

/* ---- validation and reading -------------------------------------------- */

static int
is_ns(xmlNodePtr n, const char *ns)
{
	return n->ns != NULL && strcmp((const char *)n->ns->href, ns) == 0;
}

static int
is_elem(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && is_ns(n, BATCH_NS) &&
	    strcmp((const char *)n->name, name) == 0;
}

/* An attribute's value into out[size]; "" when absent. */
static void
attr(xmlNodePtr n, const char *name, char *out, size_t size)
{
	xmlChar	*v;

	out[0] = '\0';
	if ((v = xmlGetNoNsProp(n, (const xmlChar *)name)) == NULL)
		return;
	snprintf(out, size, "%s", (const char *)v);
	xmlFree(v);
}

static int
has_attr(xmlNodePtr n, const char *name)
{
	return xmlHasNsProp(n, (const xmlChar *)name, NULL) != NULL;
}

static int64_t
attr_int(xmlNodePtr n, const char *name)
{
	char	 v[32];

	attr(n, name, v, sizeof(v));
	return strtoll(v, NULL, 10);
}

static int64_t
attr_time(xmlNodePtr n, const char *name, int *offset)
{
	char		 v[UTIL_TIME_LEN];
	int64_t		 t = 0;
	struct sp_err	 e = { 0 };

	attr(n, name, v, sizeof(v));
	if (util_time_parse(v, &t, offset, &e) == -1 && offset != NULL)
		*offset = 0;
	return t;
}

/* A child element of our namespace, or NULL. */
static xmlNodePtr
child(xmlNodePtr n, const char *name)
{
	xmlNodePtr	 c;

	for (c = n->children; c != NULL; c = c->next)
		if (is_elem(c, name))
			return c;
	return NULL;
}

/* The text of a child element, newly allocated, or NULL when absent. */
static char *
child_text(xmlNodePtr n, const char *name)
{
	xmlNodePtr	 c;
	xmlChar		*v;
	char		*s;

	if ((c = child(n, name)) == NULL)
		return NULL;
	if ((v = xmlNodeGetContent(c)) == NULL)
		return xstrdup("");
	s = xstrdup((const char *)v);
	xmlFree(v);
	return s;
}

static int
text_bytes(xmlNodePtr n, const char *name, size_t max, const char *id,
    struct sp_err *err)
{
	char	*s;
	size_t	 len;

	if ((s = child_text(n, name)) == NULL)
		return 0;
	len = strlen(s);
	free(s);
	if (len > max)
		return sp_errf(err, SPE_SCHEMA, "event %s: <%s> is %zu bytes, "
		    "limit %zu", id, name, len, max);
	return 0;
}

static int
payload_present(xmlNodePtr ev, int p)
{
	switch (p) {
	case P_FILED:
		return child(ev, "filed") != NULL;
	case P_REASON:
		return child(ev, "reason") != NULL;
	case P_UNIT:
		return child(ev, "unit") != NULL;
	case P_OFFICER:
		return child(ev, "officer") != NULL;
	case P_TEXT:
		return child(ev, "text") != NULL;
	case P_TO:
		return has_attr(ev, "to");
	case P_STARS:
		return has_attr(ev, "stars");
	default:
		return 0;
	}
}

/* The rules of one event that batch.xsd cannot state. */
static int
check_event(xmlNodePtr ev, struct sp_err *err)
{
	char			 id[40], kind[32], v[32];
	enum event_kind		 k;
	xmlNodePtr		 f;
	int			 p, present;

	attr(ev, "id", id, sizeof(id));
	attr(ev, "kind", kind, sizeof(kind));
	attr(ev, "v", v, sizeof(v));
	k = event_kind_by_name(kind);
	if (k == EV_MAX)
		return sp_errf(err, SPE_SCHEMA, "event %s: unknown kind", id);
	if (event_is_chain(k) != (strcmp(v, "0") != 0))
		return sp_errf(err, SPE_SCHEMA, "event %s: %s must have v %s",
		    id, kind, event_is_chain(k) ? ">= 1" : "= 0");
	if (k == EV_FILED && strcmp(v, "1") != 0)
		return sp_errf(err, SPE_SCHEMA, "event %s: filed must have "
		    "v = 1", id);
	for (p = 0; p < P_MAX; p++) {
		present = payload_present(ev, p);
		if (payload[k][p] == 'R' && !present)
			return sp_errf(err, SPE_SCHEMA, "event %s: %s needs %s",
			    id, kind, payload_names[p]);
		if (payload[k][p] == 0 && present)
			return sp_errf(err, SPE_SCHEMA, "event %s: %s does not "
			    "carry %s", id, kind, payload_names[p]);
	}
	if (k == EV_ARCHIVED) {
		char	*r = child_text(ev, "reason");
		int	 bad = archive_reason_by_name(r) == AR_MAX;

		if (bad)
			sp_errf(err, SPE_SCHEMA, "event %s: archive reason "
			    "'%.40s' is not in the list", id, r);
		free(r);
		if (bad)
			return -1;
	}
	if (text_bytes(ev, "reason", TEXT_MAX, id, err) == -1 ||
	    text_bytes(ev, "text", TEXT_MAX, id, err) == -1 ||
	    text_bytes(ev, "unit", TITLE_MAX, id, err) == -1 ||
	    text_bytes(ev, "officer", TITLE_MAX, id, err) == -1)
		return -1;
	if ((f = child(ev, "filed")) != NULL &&
	    (text_bytes(f, "title", TITLE_MAX, id, err) == -1 ||
	    text_bytes(f, "body", TEXT_MAX, id, err) == -1 ||
	    text_bytes(f, "location", TEXT_MAX, id, err) == -1))
		return -1;
	if (f != NULL && has_attr(f, "lat") != has_attr(f, "lon"))
		return sp_errf(err, SPE_SCHEMA, "event %s: lat and lon go "
		    "together", id);
	return 0;
}

/*
 * What batch.xsd cannot say of a <policy> or <metrics> item: its part is
 * within parts, and part 1, only part 1, carries the header attributes.
 */
static int
check_part(xmlNodePtr n, size_t item, struct sp_err *err)
{
	int	 pol = is_elem(n, "policy"), first;
	int	 h1 = has_attr(n, pol ? "zone" : "first");
	int	 h2 = has_attr(n, pol ? "target-hours" : "last");

	if (attr_int(n, "part") > attr_int(n, "parts"))
		return sp_errf(err, SPE_SCHEMA, "item %zu: part %lld of %lld",
		    item, (long long)attr_int(n, "part"),
		    (long long)attr_int(n, "parts"));
	first = attr_int(n, "part") == 1;
	if (h1 != first || h2 != first)
		return sp_errf(err, SPE_SCHEMA, "item %zu: %s %s on %s", item,
		    pol ? "zone and target-hours" : "first and last",
		    first ? "missing" : "present", first ? "part 1" :
		    "a later part");
	return 0;
}

static void
schema_error(void *ctx, xmlErrorPtr e)
{
	keep_error(ctx, e);
}

static int
collect_items(struct batch *b, xmlNodePtr root, struct sp_err *err)
{
	xmlNodePtr	 c;

	for (c = root->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || !is_ns(c, BATCH_NS))
			continue;
		b->items = xreallocarray(b->items, b->nitems + 1,
		    sizeof(*b->items));
		b->items[b->nitems++] = c;
		if (is_elem(c, "event") && check_event(c, err) == -1)
			return -1;
		if ((is_elem(c, "policy") || is_elem(c, "metrics")) &&
		    check_part(c, b->nitems, err) == -1)
			return -1;
	}
	return 0;
}

static void
read_header(struct batch *b, xmlNodePtr root)
{
	struct batch_header	*h = &b->hdr;

	attr(root, "from", h->from, sizeof(h->from));
	attr(root, "to", h->to, sizeof(h->to));
	h->seq = attr_int(root, "seq");
	attr(root, "prev", h->prev, sizeof(h->prev));
	attr(root, "instance", h->instance, sizeof(h->instance));
	h->created = attr_time(root, "created", &h->created_offset);
	attr(root, "replaces", h->replaces, sizeof(h->replaces));
	snprintf(b->signer, sizeof(b->signer), "%s", h->from);
}

int
batch_validate(struct batch *b, struct sp_err *err)
{
	xmlNodePtr		 root;
	xmlSchemaPtr		 schema;
	xmlSchemaValidCtxtPtr	 vc;
	enum batch_kind		 kind;
	int			 rc;

	if ((root = xmlDocGetRootElement(b->doc)) == NULL)
		return sp_errf(err, SPE_SCHEMA, "no root element");
	if (is_elem(root, "batch")) {
		kind = BATCH_KIND_BATCH;
		schema = schema_batch;
	} else if (is_elem(root, "receipt")) {
		kind = BATCH_KIND_RECEIPT;
		schema = schema_receipt;
	} else if (is_elem(root, "directory")) {
		kind = BATCH_KIND_DIRECTORY;
		schema = schema_directory;
	} else
		return sp_errf(err, SPE_SCHEMA, "the root is {%.60s}%.40s, not "
		    "batch, receipt or directory of %s", root->ns != NULL ?
		    (const char *)root->ns->href : "", (const char *)root->name,
		    BATCH_NS);
	if ((vc = xmlSchemaNewValidCtxt(schema)) == NULL)
		return sp_errf(err, SPE_INTERNAL, "libxml2: no schema context");
	xmlSchemaSetValidStructuredErrors(vc, schema_error, NULL);
	lib_msg[0] = '\0';
	rc = xmlSchemaValidateDoc(vc, b->doc);
	xmlSchemaFreeValidCtxt(vc);
	if (rc != 0)
		return sp_errf(err, SPE_SCHEMA, "%s", take_msg());
	free(b->items);
	b->items = NULL;
	b->nitems = 0;
	memset(&b->hdr, 0, sizeof(b->hdr));
	if (kind == BATCH_KIND_BATCH) {
		read_header(b, root);
		if (collect_items(b, root, err) == -1)
			return -1;
	} else if (kind == BATCH_KIND_RECEIPT)
		attr(root, "signer", b->signer, sizeof(b->signer));
	else
		attr(root, "from", b->signer, sizeof(b->signer));
	b->kind = kind;
	return 0;
}

int
batch_check_authorship(const struct batch *b, struct sp_err *err)
{
	size_t	 i, n;
	char	 id[40], signer[16];

	if (b->kind != BATCH_KIND_BATCH)
		return 0;
	n = strlen(b->hdr.from);
	for (i = 0; i < b->nitems; i++) {
		if (is_elem(b->items[i], "receipt")) {
			/* A node signs only its own receipts too. */
			attr(b->items[i], "signer", signer, sizeof(signer));
			if (strcmp(signer, b->hdr.from) != 0)
				return sp_errf(err, SPE_AUTHORSHIP, "item %zu: "
				    "a receipt signed by %s, not by %s", i + 1,
				    signer, b->hdr.from);
			continue;
		}
		if (!is_elem(b->items[i], "event"))
			continue;
		attr(b->items[i], "id", id, sizeof(id));
		if (strncmp(id, b->hdr.from, n) != 0 || id[n] != ':')
			return sp_errf(err, SPE_AUTHORSHIP, "item %zu: event "
			    "%s is not authored by %s", i + 1, id, b->hdr.from);
	}
	return 0;
}

enum batch_kind
batch_kind(const struct batch *b)
{
	return b->kind;
}

const struct batch_header *
batch_header(const struct batch *b)
{
	return &b->hdr;
}

const char *
batch_signer(const struct batch *b)
{
	return b->signer;
}

size_t
batch_nitems(const struct batch *b)
{
	return b->nitems;
}

enum batch_item
batch_item_kind(const struct batch *b, size_t i)
{
	if (is_elem(b->items[i], "event"))
		return BATCH_ITEM_EVENT;
	if (is_elem(b->items[i], "policy"))
		return BATCH_ITEM_POLICY;
	if (is_elem(b->items[i], "metrics"))
		return BATCH_ITEM_METRICS;
	return BATCH_ITEM_RECEIPT;
}

static void
read_filed(xmlNodePtr f, struct complaint_fields *c)
{
	char		 v[64];
	xmlNodePtr	 loc;

	attr(f, "type", v, sizeof(v));
	c->type = complaint_type_by_name(v);
	attr(f, "channel", v, sizeof(v));
	c->channel = channel_by_name(v);
	c->title = child_text(f, "title");
	c->body = child_text(f, "body");
	/* Optional: a complaint may be filed before it has a topic. */
	if (has_attr(f, "category")) {
		attr(f, "category", v, sizeof(v));
		c->category = xstrdup(v);
	}
	if ((loc = child(f, "location")) != NULL) {
		c->location_text = child_text(f, "location");
		if (has_attr(loc, "code")) {
			attr(loc, "code", v, sizeof(v));
			c->location_code = xstrdup(v);
		}
	}
	if ((c->has_geo = has_attr(f, "lat"))) {
		attr(f, "lat", v, sizeof(v));
		c->lat = strtod(v, NULL);
		attr(f, "lon", v, sizeof(v));
		c->lon = strtod(v, NULL);
	}
	if (has_attr(f, "incident-date")) {
		attr(f, "incident-date", v, sizeof(v));
		c->incident_date = xstrdup(v);
	}
	c->filed_at = attr_time(f, "filed-at", NULL);
	attr(f, "anonymous", v, sizeof(v));
	c->anonymous = strcmp(v, "true") == 0 || strcmp(v, "1") == 0;
	attr(f, "confidential", v, sizeof(v));
	c->confidential = strcmp(v, "true") == 0 || strcmp(v, "1") == 0;
}

int
batch_item_event(const struct batch *b, size_t i, struct event *e,
    struct sp_err *err)
{
	xmlNodePtr	 n;
	char		 id[40], v[128], *colon;

	memset(e, 0, sizeof(*e));
	if (i >= b->nitems || !is_elem(b->items[i], "event"))
		return sp_errf(err, SPE_INTERNAL, "item %zu is not an event",
		    i + 1);
	n = b->items[i];
	attr(n, "id", id, sizeof(id));
	if ((colon = strrchr(id, ':')) == NULL)
		return sp_errf(err, SPE_SCHEMA, "event id %s", id);
	*colon = '\0';
	snprintf(e->author, sizeof(e->author), "%.15s", id);
	e->seq = strtoll(colon + 1, NULL, 10);
	attr(n, "complaint", e->complaint, sizeof(e->complaint));
	attr(n, "kind", v, sizeof(v));
	e->kind = event_kind_by_name(v);
	e->v = (int)attr_int(n, "v");
	attr(n, "actor", v, sizeof(v));
	e->actor = xstrdup(v);
	e->at = attr_time(n, "at", &e->at_offset);
	e->recorded = attr_time(n, "recorded", NULL);
	e->reason = child_text(n, "reason");
	e->text = child_text(n, "text");
	e->unit = child_text(n, "unit");
	e->officer = child_text(n, "officer");
	attr(n, "to", e->to, sizeof(e->to));
	e->stars = (int)attr_int(n, "stars");
	if (child(n, "filed") != NULL) {
		e->filed = xcalloc(1, sizeof(*e->filed));
		read_filed(child(n, "filed"), e->filed);
	}
	return 0;
}

static void
read_receipt(xmlNodePtr n, struct receipt *r)
{
	xmlNodePtr		 c;
	struct receipt_result	*res;
	char			 v[64];
	xmlChar			*t;
	size_t			 k;

	memset(r, 0, sizeof(*r));
	attr(n, "kind", v, sizeof(v));
	r->kind = strcmp(v, "relay") == 0 ? RECEIPT_RELAY : RECEIPT_FINAL;
	attr(n, "signer", r->signer, sizeof(r->signer));
	attr(n, "batch-from", r->batch_from, sizeof(r->batch_from));
	attr(n, "batch-to", r->batch_to, sizeof(r->batch_to));
	r->batch_seq = attr_int(n, "batch-seq");
	attr(n, "batch-digest", r->batch_digest, sizeof(r->batch_digest));
	attr(n, "instance", r->instance, sizeof(r->instance));
	r->received_at = attr_time(n, "received-at", &r->received_offset);
	r->head_seq = attr_int(n, "head-seq");
	attr(n, "head-digest", r->head_digest, sizeof(r->head_digest));
	for (c = n->children; c != NULL; c = c->next) {
		if (!is_elem(c, "result"))
			continue;
		r->results = xreallocarray(r->results, r->nresults + 1,
		    sizeof(*r->results));
		res = &r->results[r->nresults++];
		memset(res, 0, sizeof(*res));
		res->item = attr_int(c, "item");
		attr(c, "event", res->event, sizeof(res->event));
		attr(c, "outcome", v, sizeof(v));
		for (k = 0; k < OUTCOME_MAX; k++)
			if (strcmp(v, outcomes[k]) == 0)
				res->outcome = (enum item_outcome)k;
		attr(c, "reason", res->reason, sizeof(res->reason));
		if ((t = xmlNodeGetContent(c)) != NULL && t[0] != '\0')
			res->detail = xstrdup((const char *)t);
		xmlFree(t);
	}
}

int
batch_item_receipt(const struct batch *b, size_t i, struct receipt *r,
    struct sp_err *err)
{
	memset(r, 0, sizeof(*r));
	if (i >= b->nitems || !is_elem(b->items[i], "receipt"))
		return sp_errf(err, SPE_INTERNAL, "item %zu is not a receipt",
		    i + 1);
	read_receipt(b->items[i], r);
	return 0;
}

int
batch_item_part(const struct batch *b, size_t i, struct batch_part *p,
    struct sp_err *err)
{
	xmlNodePtr	 n, c;
	struct buf	 t;
	char		 a[128], v[32];
	int		 pol;

	memset(p, 0, sizeof(*p));
	if (i >= b->nitems || (!is_elem(b->items[i], "policy") &&
	    !is_elem(b->items[i], "metrics")))
		return sp_errf(err, SPE_INTERNAL, "item %zu is not a policy "
		    "or figure set", i + 1);
	n = b->items[i];
	pol = is_elem(n, "policy");
	p->kind = pol ? BATCH_ITEM_POLICY : BATCH_ITEM_METRICS;
	p->n = attr_int(n, pol ? "version" : "set");
	p->at = attr_time(n, pol ? "effective" : "signed", &p->at_offset);
	p->part = (int)attr_int(n, "part");
	p->parts = (int)attr_int(n, "parts");
	buf_init(&t, SIZE_MAX);
	if (p->part == 1 && pol) {
		attr(n, "zone", a, sizeof(a));
		attr(n, "target-hours", v, sizeof(v));
		buf_printf(&t, NULL, "zone %s\ntarget %s\n", a, v);
	} else if (p->part == 1) {
		attr(n, "first", a, sizeof(a));
		attr(n, "last", v, sizeof(v));
		buf_printf(&t, NULL, "period %s %s\n", a, v);
	}
	for (c = n->children; c != NULL; c = c->next) {
		if (is_elem(c, "holiday")) {
			attr(c, "date", a, sizeof(a));
			buf_printf(&t, NULL, "holiday %s\n", a);
		} else if (is_elem(c, "tier")) {
			attr(c, "topic", a, sizeof(a));
			attr(c, "days", v, sizeof(v));
			buf_printf(&t, NULL, "tier %s %s\n", a, v);
		} else if (is_elem(c, "input")) {
			attr(c, "author", a, sizeof(a));
			attr(c, "seq", v, sizeof(v));
			buf_printf(&t, NULL, "input %s %s\n", a, v);
		} else if (is_elem(c, "figure")) {
			attr(c, "name", a, sizeof(a));
			attr(c, "value", v, sizeof(v));
			buf_printf(&t, NULL, "figure %s %s\n", a, v);
		}
	}
	p->body = (char *)buf_release(&t, NULL);
	return 0;
}

int
batch_receipt(const struct batch *b, struct receipt *r, struct sp_err *err)
{
	memset(r, 0, sizeof(*r));
	if (b->kind != BATCH_KIND_RECEIPT)
		return sp_errf(err, SPE_INTERNAL, "not a receipt document");
	read_receipt(xmlDocGetRootElement(b->doc), r);
	return 0;
}

void
directory_clear(struct directory *d)
{
	size_t	 i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++) {
		free(d->nodes[i].name);
		free(d->nodes[i].url);
		free(d->nodes[i].cert);
	}
	free(d->nodes);
	d->nodes = NULL;
	d->n = 0;
}

static int
read_dir_node(xmlNodePtr c, struct directory_node *n, struct sp_err *err)
{
	struct buf	 der;
	char		 v[512];
	xmlChar		*t;
	int		 rc;

	attr(c, "code", n->code, sizeof(n->code));
	attr(c, "name", v, sizeof(v));
	n->name = xstrdup(v);
	if (has_attr(c, "url")) {
		attr(c, "url", v, sizeof(v));
		n->url = xstrdup(v);
	}
	attr(c, "instance", n->instance, sizeof(n->instance));
	buf_init(&der, BATCH_MAX_ITEM_BYTES);
	t = xmlNodeGetContent(c);
	rc = util_unb64(t != NULL ? (const char *)t : "", &der, err);
	xmlFree(t);
	if (rc == -1) {
		buf_clear(&der);
		return sp_errf(err, SPE_SCHEMA, "directory node %s: the "
		    "certificate is not base64", n->code);
	}
	n->cert = buf_release(&der, &n->cert_len);
	return 0;
}

int
batch_directory(const struct batch *b, struct directory *d,
    struct sp_err *err)
{
	xmlNodePtr	 root, c;

	memset(d, 0, sizeof(*d));
	if (b->kind != BATCH_KIND_DIRECTORY)
		return sp_errf(err, SPE_INTERNAL, "not a directory document");
	root = xmlDocGetRootElement(b->doc);
	attr(root, "from", d->from, sizeof(d->from));
	d->issued = attr_time(root, "issued", &d->issued_offset);
	d->version = (int)attr_int(root, "version");
	d->limits.max_bytes = (size_t)attr_int(root, "max-batch-bytes");
	d->limits.max_items = (size_t)attr_int(root, "max-batch-items");
	d->limits.max_item_bytes = (size_t)attr_int(root, "max-item-bytes");
	d->limits.max_depth = BATCH_MAX_DEPTH;
	for (c = root->children; c != NULL; c = c->next) {
		if (!is_elem(c, "node"))
			continue;
		d->nodes = xreallocarray(d->nodes, d->n + 1,
		    sizeof(*d->nodes));
		memset(&d->nodes[d->n], 0, sizeof(d->nodes[d->n]));
		if (read_dir_node(c, &d->nodes[d->n++], err) == -1) {
			directory_clear(d);
			return -1;
		}
	}
	return 0;
}

const uint8_t *
batch_bytes(const struct batch *b, size_t *len)
{
	*len = b->len;
	return b->bytes;
}

void
batch_digest(const struct batch *b, char *out)
{
	batch_digest_bytes(b->bytes, b->len, out);
}

void
batch_digest_bytes(const uint8_t *p, size_t len, char *out)
{
	uint8_t	 md[SHA256_DIGEST_LENGTH];

	SHA256(p, len, md);
	util_hex(md, sizeof(md), out);
}

void *
batch_xml(const struct batch *b)
{
	return b->doc;
}

/* ---- emission ------------------------------------------------------------ */

static void
set_attr(xmlNodePtr n, const char *name, const char *v)
{
	xmlNewProp(n, (const xmlChar *)name, (const xmlChar *)v);
}

static void
set_int(xmlNodePtr n, const char *name, long long v)
{
	char	 s[32];

	snprintf(s, sizeof(s), "%lld", v);
	set_attr(n, name, s);
}

static void
set_time(xmlNodePtr n, const char *name, int64_t t, int offset)
{
	char	 s[UTIL_TIME_LEN];

	util_time_format(t, offset, s);
	set_attr(n, name, s);
}

/* A child element with escaped text (xmlNewTextChild escapes). */
static xmlNodePtr
add_text(xmlNodePtr parent, xmlNsPtr ns, const char *name, const char *v)
{
	return xmlNewTextChild(parent, ns, (const xmlChar *)name,
	    (const xmlChar *)v);
}

static void
add_filed(xmlNodePtr ev, xmlNsPtr ns, const struct complaint_fields *c,
    int offset)
{
	xmlNodePtr	 f, loc;
	char		 v[32];

	f = xmlNewChild(ev, ns, (const xmlChar *)"filed", NULL);
	set_attr(f, "type", complaint_type_name(c->type));
	set_attr(f, "channel", channel_name(c->channel));
	if (c->category != NULL)
		set_attr(f, "category", c->category);
	set_time(f, "filed-at", c->filed_at, offset);
	if (c->incident_date != NULL)
		set_attr(f, "incident-date", c->incident_date);
	if (c->has_geo) {
		snprintf(v, sizeof(v), "%.6f", c->lat);
		set_attr(f, "lat", v);
		snprintf(v, sizeof(v), "%.6f", c->lon);
		set_attr(f, "lon", v);
	}
	set_attr(f, "anonymous", c->anonymous ? "true" : "false");
	set_attr(f, "confidential", c->confidential ? "true" : "false");
	add_text(f, ns, "title", c->title ? c->title : "");
	add_text(f, ns, "body", c->body ? c->body : "");
	if (c->location_text != NULL || c->location_code != NULL) {
		loc = add_text(f, ns, "location",
		    c->location_text ? c->location_text : "");
		if (c->location_code != NULL)
			set_attr(loc, "code", c->location_code);
	}
}

static xmlNodePtr
event_node(xmlNsPtr ns, const struct event *e)
{
	xmlNodePtr	 n;
	char		 id[48];

	n = xmlNewNode(ns, (const xmlChar *)"event");
	snprintf(id, sizeof(id), "%s:%lld", e->author, (long long)e->seq);
	set_attr(n, "id", id);
	set_attr(n, "kind", event_kind_name(e->kind));
	set_attr(n, "complaint", e->complaint);
	set_int(n, "v", e->v);
	set_attr(n, "actor", e->actor ? e->actor : "");
	set_time(n, "at", e->at, e->at_offset);
	set_time(n, "recorded", e->recorded, e->at_offset);
	if (e->to[0] != '\0')
		set_attr(n, "to", e->to);
	if (e->stars != 0)
		set_int(n, "stars", e->stars);
	if (e->filed != NULL)
		add_filed(n, ns, e->filed, e->at_offset);
	if (e->reason != NULL)
		add_text(n, ns, "reason", e->reason);
	if (e->unit != NULL)
		add_text(n, ns, "unit", e->unit);
	if (e->officer != NULL)
		add_text(n, ns, "officer", e->officer);
	if (e->text != NULL)
		add_text(n, ns, "text", e->text);
	return n;
}

static void
fill_receipt(xmlNodePtr n, xmlNsPtr ns, const struct receipt *r)
{
	xmlNodePtr	 c;
	size_t		 i;

	set_attr(n, "kind", receipt_kind_name(r->kind));
	set_attr(n, "signer", r->signer);
	set_attr(n, "batch-from", r->batch_from);
	set_attr(n, "batch-to", r->batch_to);
	set_int(n, "batch-seq", r->batch_seq);
	set_attr(n, "batch-digest", r->batch_digest);
	set_attr(n, "instance", r->instance);
	set_time(n, "received-at", r->received_at, r->received_offset);
	set_int(n, "head-seq", r->head_seq);
	set_attr(n, "head-digest", r->head_digest);
	for (i = 0; i < r->nresults; i++) {
		const struct receipt_result *res = &r->results[i];

		xmlAddChild(n, xmlNewText((const xmlChar *)"\n"));
		c = add_text(n, ns, "result", res->detail ? res->detail : "");
		set_int(c, "item", res->item);
		if (res->event[0] != '\0')
			set_attr(c, "event", res->event);
		set_attr(c, "outcome", item_outcome_name(res->outcome));
		if (res->reason[0] != '\0')
			set_attr(c, "reason", res->reason);
	}
	if (r->nresults > 0)
		xmlAddChild(n, xmlNewText((const xmlChar *)"\n"));
}

/*
 * A <policy> or <metrics> element from a part's lines; NULL if a line is
 * not one the item can carry (the caller's text was not canonical).
 */
static xmlNodePtr
part_node(xmlNsPtr ns, const struct batch_part *p)
{
	xmlNodePtr	 n, c;
	char		*copy, *rest, *line, *w[3];
	int		 pol = p->kind == BATCH_ITEM_POLICY, k, ok = 1;

	n = xmlNewNode(ns, (const xmlChar *)(pol ? "policy" : "metrics"));
	set_int(n, pol ? "version" : "set", p->n);
	set_time(n, pol ? "effective" : "signed", p->at, p->at_offset);
	set_int(n, "part", p->part);
	set_int(n, "parts", p->parts);
	rest = copy = xstrdup(p->body);
	while (ok && (line = strsep(&rest, "\n")) != NULL) {
		if (line[0] == '\0')
			continue;
		for (k = 0; k < 3; k++)
			w[k] = strsep(&line, " ");
		if (w[1] == NULL || line != NULL)
			ok = 0;
		else if (pol && strcmp(w[0], "zone") == 0 && w[2] == NULL)
			set_attr(n, "zone", w[1]);
		else if (pol && strcmp(w[0], "target") == 0 && w[2] == NULL)
			set_attr(n, "target-hours", w[1]);
		else if (pol && strcmp(w[0], "holiday") == 0 && w[2] == NULL) {
			c = xmlNewChild(n, ns, (const xmlChar *)"holiday", NULL);
			set_attr(c, "date", w[1]);
		} else if (pol && strcmp(w[0], "tier") == 0 && w[2] != NULL) {
			c = xmlNewChild(n, ns, (const xmlChar *)"tier", NULL);
			set_attr(c, "topic", w[1]);
			set_attr(c, "days", w[2]);
		} else if (!pol && strcmp(w[0], "period") == 0 && w[2] != NULL) {
			set_attr(n, "first", w[1]);
			set_attr(n, "last", w[2]);
		} else if (!pol && strcmp(w[0], "input") == 0 && w[2] != NULL) {
			c = xmlNewChild(n, ns, (const xmlChar *)"input", NULL);
			set_attr(c, "author", w[1]);
			set_attr(c, "seq", w[2]);
		} else if (!pol && strcmp(w[0], "figure") == 0 && w[2] != NULL) {
			c = xmlNewChild(n, ns, (const xmlChar *)"figure", NULL);
			set_attr(c, "name", w[1]);
			set_attr(c, "value", w[2]);
		} else
			ok = 0;
	}
	free(copy);
	if (!ok) {
		xmlFreeNode(n);
		return NULL;
	}
	return n;
}

/* Serialize, then parse and validate our own output like a peer's. */
static int
finish(xmlDocPtr doc, struct batch **out, struct sp_err *err)
{
	struct batch_limits	 lim;
	xmlChar			*mem = NULL;
	int			 len = 0, rc = -1;

	xmlDocDumpMemoryEnc(doc, &mem, &len, "UTF-8");
	xmlFreeDoc(doc);
	if (mem == NULL || len <= 0) {
		sp_errf(err, SPE_INTERNAL, "libxml2: cannot serialize");
		goto out;
	}
	batch_limits_default(&lim);
	if (batch_parse(mem, (size_t)len, &lim, out, err) == -1)
		goto out;
	if (batch_validate(*out, err) == -1) {
		batch_free(*out);
		*out = NULL;
		goto out;
	}
	rc = 0;
out:
	xmlFree(mem);
	return rc;
}

static xmlNodePtr
new_root(xmlDocPtr doc, const char *name, xmlNsPtr *ns)
{
	xmlNodePtr	 root;

	root = xmlNewDocNode(doc, NULL, (const xmlChar *)name, NULL);
	*ns = xmlNewNs(root, (const xmlChar *)BATCH_NS, NULL);
	xmlSetNs(root, *ns);
	xmlDocSetRootElement(doc, root);
	return root;
}

int
batch_new_batch(const struct batch_header *h, const struct event *ev,
    size_t nev, const struct receipt *rc, size_t nrc, struct batch **out,
    struct sp_err *err)
{
	return batch_new_batch_parts(h, ev, nev, rc, nrc, NULL, 0, out, err);
}

int
batch_new_batch_parts(const struct batch_header *h, const struct event *ev,
    size_t nev, const struct receipt *rc, size_t nrc,
    const struct batch_part *parts, size_t nparts, struct batch **out,
    struct sp_err *err)
{
	xmlDocPtr	 doc;
	xmlNodePtr	 root, n;
	xmlNsPtr	 ns;
	size_t		 i;

	*out = NULL;
	doc = xmlNewDoc((const xmlChar *)"1.0");
	root = new_root(doc, "batch", &ns);
	set_attr(root, "from", h->from);
	set_attr(root, "to", h->to);
	set_int(root, "seq", h->seq);
	set_attr(root, "prev", h->prev);
	set_attr(root, "instance", h->instance);
	set_time(root, "created", h->created, h->created_offset);
	if (h->replaces[0] != '\0')
		set_attr(root, "replaces", h->replaces);
	for (i = 0; i < nev; i++) {
		xmlAddChild(root, xmlNewText((const xmlChar *)"\n"));
		xmlAddChild(root, event_node(ns, &ev[i]));
	}
	for (i = 0; i < nrc; i++) {
		xmlAddChild(root, xmlNewText((const xmlChar *)"\n"));
		n = xmlNewChild(root, ns, (const xmlChar *)"receipt", NULL);
		fill_receipt(n, ns, &rc[i]);
	}
	for (i = 0; i < nparts; i++) {
		if ((n = part_node(ns, &parts[i])) == NULL) {
			xmlFreeDoc(doc);
			return sp_errf(err, SPE_INTERNAL, "%s %lld part %d: not "
			    "canonical text", parts[i].kind == BATCH_ITEM_POLICY ?
			    "policy" : "figure set", (long long)parts[i].n,
			    parts[i].part);
		}
		xmlAddChild(root, xmlNewText((const xmlChar *)"\n"));
		xmlAddChild(root, n);
	}
	xmlAddChild(root, xmlNewText((const xmlChar *)"\n"));
	return finish(doc, out, err);
}

int
batch_new_receipt(const struct receipt *r, struct batch **out,
    struct sp_err *err)
{
	xmlDocPtr	 doc;
	xmlNodePtr	 root;
	xmlNsPtr	 ns;

	*out = NULL;
	doc = xmlNewDoc((const xmlChar *)"1.0");
	root = new_root(doc, "receipt", &ns);
	fill_receipt(root, ns, r);
	return finish(doc, out, err);
}

int
batch_new_directory(const struct directory *d, struct batch **out,
    struct sp_err *err)
{
	const struct directory_node	*n;
	xmlDocPtr			 doc;
	xmlNodePtr			 root, c;
	xmlNsPtr			 ns;
	char				*b64;
	size_t				 i;

	*out = NULL;
	doc = xmlNewDoc((const xmlChar *)"1.0");
	root = new_root(doc, "directory", &ns);
	set_attr(root, "from", d->from);
	set_time(root, "issued", d->issued, d->issued_offset);
	set_int(root, "version", d->version);
	set_int(root, "max-batch-bytes", (long long)d->limits.max_bytes);
	set_int(root, "max-batch-items", (long long)d->limits.max_items);
	set_int(root, "max-item-bytes", (long long)d->limits.max_item_bytes);
	for (i = 0; i < d->n; i++) {
		n = &d->nodes[i];
		b64 = xmalloc(4 * ((n->cert_len + 2) / 3) + 1);
		util_b64(n->cert, n->cert_len, b64);
		xmlAddChild(root, xmlNewText((const xmlChar *)"\n"));
		c = add_text(root, ns, "node", b64);
		free(b64);
		set_attr(c, "code", n->code);
		set_attr(c, "name", n->name != NULL ? n->name : "");
		if (n->url != NULL)
			set_attr(c, "url", n->url);
		set_attr(c, "instance", n->instance);
	}
	xmlAddChild(root, xmlNewText((const xmlChar *)"\n"));
	return finish(doc, out, err);
}

size_t
batch_event_size(const struct event *e)
{
	xmlDocPtr	 doc;
	xmlNodePtr	 root;
	xmlNsPtr	 ns;
	xmlBufferPtr	 buf;
	size_t		 n;

	doc = xmlNewDoc((const xmlChar *)"1.0");
	root = new_root(doc, "batch", &ns);
	xmlAddChild(root, event_node(ns, e));
	buf = xmlBufferCreate();
	xmlNodeDump(buf, doc, root->children, 0, 0);
	n = (size_t)xmlBufferLength(buf) + 1;	/* and its newline */
	xmlBufferFree(buf);
	xmlFreeDoc(doc);
	return n;
}

/*
 * Lines of text per part: each line encodes in at most about twice its
 * length plus 32 bytes of markup, so a part of this many bytes of lines
 * stays well inside the 64 KiB item limit.
 */
#define PART_TEXT	(16 * 1024)

size_t
batch_split(enum batch_item kind, int64_t n, int64_t at, int at_offset,
    const char *text, struct batch_part **out)
{
	struct batch_part	*p = NULL;
	const char		*s = text, *nl;
	size_t			 np = 0, i, len, l;

	while (np == 0 || *s != '\0') {
		for (len = 0; s[len] != '\0'; len += l) {
			nl = strchr(s + len, '\n');
			l = nl != NULL ? (size_t)(nl + 1 - (s + len)) :
			    strlen(s + len);
			if (len > 0 && len + l > PART_TEXT)
				break;
		}
		p = xreallocarray(p, np + 1, sizeof(*p));
		memset(&p[np], 0, sizeof(p[np]));
		p[np].kind = kind;
		p[np].n = n;
		p[np].at = at;
		p[np].at_offset = at_offset;
		p[np].body = xstrndup(s, len);
		np++;
		s += len;
	}
	for (i = 0; i < np; i++) {
		p[i].part = (int)i + 1;
		p[i].parts = (int)np;
	}
	*out = p;
	return np;
}

void
batch_parts_free(struct batch_part *p, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(p[i].body);
	free(p);
}

size_t
batch_part_size(const struct batch_part *p)
{
	xmlDocPtr	 doc;
	xmlNodePtr	 root, n;
	xmlNsPtr	 ns;
	xmlBufferPtr	 buf;
	size_t		 len;

	doc = xmlNewDoc((const xmlChar *)"1.0");
	root = new_root(doc, "batch", &ns);
	if ((n = part_node(ns, p)) == NULL) {
		xmlFreeDoc(doc);
		return BATCH_MAX_ITEM_BYTES;
	}
	xmlAddChild(root, n);
	buf = xmlBufferCreate();
	xmlNodeDump(buf, doc, root->children, 0, 0);
	len = (size_t)xmlBufferLength(buf) + 1;
	xmlBufferFree(buf);
	xmlFreeDoc(doc);
	return len;
}
