#!/bin/sh
# 10-serve.sh: a real hub on loopback answers GET /v1/status over mutual
# TLS to a node it knows or enrols at its first contact, and refuses
# everyone else; a regency node refuses a node it does not know; one log
# line per request; SIGTERM ends it cleanly.
. "${top_srcdir:-.}/tests/lib.sh"

pki --test 33.28 hub 33.21
P=$T/pki
HUB=$T/hub.db
"$SIMPUL" --db "$HUB" init --node hub --role hub --name "Hub nasional" \
    --cert "$P/hub.pem" --key "$P/hub.key" --ca "$P/ca.pem" \
    --crl "$P/crl.pem" >/dev/null
"$SIMPUL" --db "$HUB" peer add 33.21 >/dev/null
"$SIMPUL" --db "$HUB" peer add 33.28 >/dev/null
"$SIMPUL" --db "$HUB" peer remove 33.28 >/dev/null

expect "serve with nothing to listen on or sync with" 1 \
    "simpul: serve: nothing to do: no peer has a URL, no hub is configured, and no --listen" \
    --db "$HUB" serve
expect "serve with a bad address" 2 \
    "simpul: serve: --listen 'localhost' is not ADDR:PORT" \
    --db "$HUB" serve --listen localhost

ok "the hub starts on loopback" start_node hub "$HUB"
ok "it holds 1024 connections at most" grep -q \
    'listening on port [0-9]*, at most 1024 connections"$' "$T/hub.log"
ok "a known node gets the status" test "$(https 33.21 "$hub_port" /v1/status)" = 200
ok "the status names the hub" grep -q '"node": *"hub"' "$T/body"
ok "XML on request" test "$(https 33.21 "$hub_port" '/v1/status?format=xml')" = 200
ok "the XML status names the hub" grep -q '<node>hub</node>' "$T/body"
ok "the hub enrols a valid, unknown node at its first contact" \
    test "$(https 33.28 "$hub_port" /v1/status)" = 200
ok "and says so" grep -q '33.28 enrolled at its first contact' "$T/hub.log"
ok "it is the hub's peer now" sh -c \
    "'$SIMPUL' --db '$HUB' peer list | grep -q '^33.28'"
DEMAK=$T/demak.db
"$SIMPUL" --db "$DEMAK" init --node 33.21 --name Demak \
    --cert "$P/33.21.pem" --key "$P/33.21.key" --ca "$P/ca.pem" \
    --crl "$P/crl.pem" >/dev/null
"$SIMPUL" --db "$DEMAK" config set serve.max_connections 64 >/dev/null
ok "a regency node serves too" start_node demak "$DEMAK"
ok "with the connection cap it was given" grep -q \
    'listening on port [0-9]*, at most 64 connections"$' "$T/demak.log"
ok "it refuses a valid node it does not know with 403" \
    test "$(https 33.28 "$demak_port" /v1/status)" = 403
ok "the refusal says why" grep -qx \
    'permission: 33.28 is not a node 33.21 exchanges with' "$T/body"
ok "the regency node stops" stop_node demak
ok "a rogue CA's certificate fails the handshake" \
    test "$(https rogue-33.28 "$hub_port" /v1/status)" = 000
ok "a revoked certificate fails the handshake" \
    test "$(https revoked-33.28 "$hub_port" /v1/status)" = 000
ok "an expired certificate fails the handshake" \
    test "$(https expired-33.28 "$hub_port" /v1/status)" = 000
ok "no client certificate fails the handshake" test "$(curl -s -o /dev/null \
    -w '%{http_code}' --max-time 10 --cacert "$P/ca.pem" \
    "https://localhost:$hub_port/v1/status")" = 000
# the client allows TLS 1.1 (security level 0): the server's alert refuses it
echo | openssl s_client -connect "127.0.0.1:$hub_port" -tls1_1 \
    -cipher 'DEFAULT@SECLEVEL=0' -cert "$P/33.21.pem" -key "$P/33.21.key" \
    >"$T/tls11" 2>&1
ok "TLS 1.1 is refused by the server" grep -q 'alert protocol version' "$T/tls11"
ok "an unknown path is 404" test "$(https 33.21 "$hub_port" /v1/nothing)" = 404
ok "POST on the status is 405" \
    test "$(https 33.21 "$hub_port" /v1/status -d x)" = 405
ok "the log has one line per request" \
    test "$(grep -c \
    'peer=33.21 method=GET path=/v1/status status=200' "$T/hub.log")" = 2
stop_node hub
ok "SIGTERM ends the hub cleanly" test $? = 0
ok "the log says it stopped" grep -q 'hub stopped (signal 15)' "$T/hub.log"

done_testing
