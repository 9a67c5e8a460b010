#!/bin/sh
# 30-mtls.sh: who may talk to a regency's `serve`.  Tegal (33.28) serves
# and knows Demak (33.21) and Brebes (33.29); Demak's signed batch is
# offered to POST /v1/batches, and GET /v1/status and GET /v1/batches are
# asked, with curl and every wrong client: no certificate, a rogue CA's, a
# revoked one (Tegal has the CRL), an expired one, TLS 1.0 and 1.1 (all
# refused in the handshake, with the server's TLS alert naming why), a
# known node's valid certificate pushing or pulling another's batches, and
# a CA-valid certificate of a node Tegal does not know (403 with the
# reason).  After each refusal Tegal's database is exactly as before; then
# Demak's own certificate delivers the same batch.  10-serve.sh covers
# the hub's /v1/status; 20-sync.sh the client refusing a wrong server.
. "${top_srcdir:-.}/tests/lib.sh"

pki --test 33.21 33.28 33.29 33.30
P=$T/pki
SIMPUL_NOW=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%S+00:00)
export SIMPUL_NOW

D() { "$SIMPUL" --db "$T/demak.db" "$@"; }
G() { "$SIMPUL" --db "$T/tegal.db" "$@"; }
mk() {		# mk DB CODE NAME
	"$SIMPUL" --db "$1" init --node "$2" --name "$3" --cert "$P/$2.pem" \
	    --key "$P/$2.key" --ca "$P/ca.pem" --crl "$P/crl.pem" \
	    >/dev/null || exit 1
	"$SIMPUL" --db "$1" category load "$top_srcdir/data/topics.tsv" \
	    >/dev/null || exit 1
}
mk "$T/demak.db" 33.21 Demak
mk "$T/tegal.db" 33.28 Tegal
G peer add 33.21 >/dev/null
G peer add 33.29 >/dev/null
D peer add 33.28 >/dev/null

# Demak's batch for Tegal, as a file.
D complaint file --title "Jalan rusak" --body "Jalan desa berlubang" \
    --category INF.JLN --reporter-name "Siti Aminah" >/dev/null
D complaint forward 33.21-000001 --to 33.28 --reason "jalan kabupaten" \
    >/dev/null
mkdir "$T/out"
D export --to 33.28 --out "$T/out" >/dev/null
B=$T/out/batch-33.21-33.28-1.xml
ok "Demak's signed batch for Tegal" test -s "$B"

ok "Tegal serves on loopback" start_node tegal "$T/tegal.db"
U=https://localhost:$tegal_port

# req CERT METHOD PATH [curl options]: curl as CERT ("none": no
# certificate, or "CERT tlsX": only TLS version X, weak ciphers allowed so
# that the client offers it); status in $T/code, curl's error in
# $T/curl.err, the body in $T/body.
req() {
	rq_cert=$1 rq_method=$2 rq_path=$3
	shift 3
	set -- "$@" -s -S -o "$T/body" -w '%{http_code}' --max-time 10 \
	    --cacert "$P/ca.pem"
	case $rq_cert in
	none) ;;
	*\ tls*)
		v=${rq_cert#* tls}
		rq_cert=${rq_cert% *}
		set -- "$@" --cert "$P/$rq_cert.pem" --key "$P/$rq_cert.key" \
		    "--tlsv$v" --tls-max "$v" --ciphers 'DEFAULT@SECLEVEL=0' ;;
	*) set -- "$@" --cert "$P/$rq_cert.pem" --key "$P/$rq_cert.key" ;;
	esac
	[ "$rq_method" = POST ] && set -- "$@" --data-binary "@$B" \
	    -H 'Content-Type: application/xml'
	: >"$T/body"
	curl "$@" "$U$rq_path" >"$T/code" 2>"$T/curl.err"
}

# refused DESC CERT WANT-STATUS WANT-TEXT: POST the batch, GET the
# status and GET Demak's inbox as CERT: each answered WANT-STATUS (000:
# no HTTP at all) with WANT-TEXT in curl's trace (the TLS alert the server
# sent) or the body (403), and Tegal's database unchanged by all of them.
# A handshake refusal is asserted over TLS 1.2, where the client
# certificate is judged inside the handshake so the alert always reaches
# curl; over TLS 1.3 the server judges it after the client's Finished and
# its close can reset the connection before curl reads the alert, so
# there only the absence of any HTTP answer is asserted.
refused() {
	rf_desc=$1 rf_cert=$2 rf_want=$3 rf_text=$4
	dump "$T/tegal.db" >"$T/before"
	for rf in "POST /v1/batches" "GET /v1/status" \
	    "GET /v1/batches?from=33.28&to=33.21&after=0"; do
		if [ "$rf_want" = 000 ]; then
			req "$rf_cert" ${rf% *} "${rf#* }" --tls-max 1.2 -v
			got=$T/curl.err
		else
			req "$rf_cert" ${rf% *} "${rf#* }"
			got=$T/body
		fi
		tap_n=$((tap_n + 1))
		if [ "$(cat "$T/code")" = "$rf_want" ] &&
		    grep -qF -- "$rf_text" "$got"; then
			echo "ok $tap_n - $rf_desc: $rf refused"
		else
			echo "not ok $tap_n - $rf_desc: $rf refused"
			echo "#   want $rf_want and '$rf_text'; got $(cat "$T/code")"
			sed 's/^/# /' "$T/curl.err" "$T/body"
			tap_failed=1
		fi
	done
	case $rf_cert in
	*\ tls*) ;;
	*)
		req "$rf_cert" POST /v1/batches
		ok "$rf_desc: POST over TLS 1.3 too: $rf_want" \
		    test "$(cat "$T/code")" = "$rf_want" ;;
	esac
	dump "$T/tegal.db" >"$T/after"
	ok "$rf_desc: nothing stored" cmp "$T/before" "$T/after"
}

refused "no client certificate" none 000 "(IN), TLS alert, handshake failure"
refused "a rogue CA's certificate for 33.21" rogue-33.21 000 \
    "(IN), TLS alert, unknown CA"
refused "Demak's revoked certificate" revoked-33.21 000 \
    "(IN), TLS alert, certificate revoked"
refused "Demak's expired certificate" expired-33.21 000 \
    "(IN), TLS alert, certificate expired"
refused "Demak's certificate over TLS 1.0" "33.21 tls1.0" 000 \
    "(IN), TLS alert, protocol version"
refused "Demak's certificate over TLS 1.1" "33.21 tls1.1" 000 \
    "(IN), TLS alert, protocol version"
refused "33.30, CA-valid but no peer of Tegal" 33.30 403 \
    "permission: 33.30 is not a node 33.28 exchanges with"

# Brebes is a peer: its status is its own business, but not Demak's batch
# nor Demak's inbox.
dump "$T/tegal.db" >"$T/before"
req 33.29 POST /v1/batches
ok "Brebes pushing Demak's signed batch: 403" test "$(cat "$T/code")" = 403
ok "the refusal says why" grep -qx \
    "permission: 33.29 may not push a batch from 33.21" "$T/body"
req 33.29 GET '/v1/batches?from=33.28&to=33.21&after=0'
ok "Brebes pulling Demak's inbox: 403" test "$(cat "$T/code")" = 403
req 33.29 GET /v1/status
ok "Brebes may read the status" test "$(cat "$T/code")" = 200
dump "$T/tegal.db" >"$T/after"
ok "Brebes stored nothing" cmp "$T/before" "$T/after"
G status >"$T/out.status"
ok "Tegal received nothing from Demak yet" \
    grep -q '^33.21 (through the hub): sent 0, acked 0, received 0,' \
    "$T/out.status"
G complaint list >"$T/list"
ok "and has no complaint" sh -c "! grep -q 33.21-000001 '$T/list'"

# The same bytes from their author: accepted.
req 33.21 POST /v1/batches
ok "Demak's own certificate delivers the batch" test "$(cat "$T/code")" = 200
ok "with Tegal's signed receipt" grep -q 'receipt' "$T/body"
G status >"$T/out.status"
ok "Tegal's channel from Demak is at seq 1" \
    grep -q '^33.21 (through the hub): sent [0-9]*, acked [0-9]*, received 1,' \
    "$T/out.status"
ok "the log has the 8 requests past the handshake, and only them" \
    test "$(grep -c 'event=request .*path=/v1/' "$T/tegal.log")" = 8
stop_node tegal
ok "SIGTERM ends Tegal cleanly" test $? = 0
done_testing
