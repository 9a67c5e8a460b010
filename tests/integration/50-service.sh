#!/bin/sh
# 50-service.sh: serve as a system service: GET /metrics on its own
# loopback listener passes `promtool check metrics` and tells channels,
# rounds, requests, overdue clocks, the database, CRL and directory; the
# example alert rules pass `promtool check rules`; bad --metrics addresses
# are usage errors; doctor compares the clock with the hub's and says
# when it is off or the hub silent; the last good round survives a
# restart; the overdue count is reused for metrics.overdue_seconds; the log is one key=value line per event, to the
# journal's priorities when stderr is the journal, without identity.
. "${top_srcdir:-.}/tests/lib.sh"

pki hub 33.21
P=$T/pki
HUB=$T/hub.db DEMAK=$T/demak.db
mknode "$HUB" hub "Hub nasional" --role hub
"$SIMPUL" --db "$HUB" peer add 33.21 >/dev/null

USAGE="(see: simpul help serve)"
expect "--metrics with a host name is a usage error" 2 \
    "simpul: serve: --metrics 'localhost:9741' is not PORT, ADDR:PORT or [ADDR6]:PORT with a numeric address and a port 0..65535 (0: any free one) $USAGE" \
    --db "$HUB" serve --metrics localhost:9741
expect "--metrics with a port out of range is a usage error" 2 \
    "simpul: serve: --metrics '127.0.0.1:65536' is not PORT, ADDR:PORT or [ADDR6]:PORT with a numeric address and a port 0..65535 (0: any free one) $USAGE" \
    --db "$HUB" serve --metrics 127.0.0.1:65536
expect "--metrics without a value is a usage error" 2 \
    "simpul: serve: unknown or incomplete option '--metrics' $USAGE" \
    --db "$HUB" serve --metrics

# metrics_port NAME: the port NAME's log says its metrics listener took.
metrics_port() { sed -n 's/.* event=metrics port=\([0-9]*\).*/\1/p' "$T/$1.log"; }
# scrape PORT FILE: GET /metrics into FILE.
scrape() { curl -sf --max-time 10 -o "$2" "http://127.0.0.1:$1/metrics"; }
# val SERIES FILE: the value of one series.
val() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }

ok "the hub serves with --metrics on a free loopback port" \
    start_node hub "$HUB" 0 --metrics 127.0.0.1:0
hub_m=$(metrics_port hub)
ok "and logs the metrics port" test -n "$hub_m"
mknode "$DEMAK" 33.21 "Kabupaten Demak" --hub "https://localhost:$hub_port"
"$SIMPUL" --db "$DEMAK" config set sync.interval_seconds 1 >/dev/null
# A count of overdue clocks is reused this long: an hour, for the test below.
"$SIMPUL" --db "$DEMAK" config set metrics.overdue_seconds 3600 >/dev/null
# Filed three days ago and never touched: its 24-hour clock is overdue.
C=$(SIMPUL_NOW=$(date -u -d '-3 days' +%Y-%m-%dT%H:%M:%S+00:00) \
    "$SIMPUL" --db "$DEMAK" complaint file --title "Jalan rusak" \
    --body "Lubang besar" --reporter-name "Siti Rahayu" \
    --reporter-contact "0812-5550-1234" --reporter-nik 3321015501900003)
ok "a complaint is filed with its reporter's identity" test -n "$C"
"$SIMPUL" --db "$DEMAK" serve --metrics 0 >"$T/demak.log" 2>&1 &
demak_pid=$!
echo "$demak_pid" >> "$T/.pids"
eventually "Demak's loop starts its metrics listener" 10 \
    grep -q 'event=metrics port=' "$T/demak.log"
demak_m=$(metrics_port demak)
eventually "Demak's hub channel has a good round" 20 sh -c \
    "curl -sf -o '$T/d.prom' http://127.0.0.1:$demak_m/metrics &&
    ! grep -q '^simpul_channel_last_success_timestamp_seconds{channel=\"hub\"} 0$' '$T/d.prom' &&
    grep -q '^simpul_directory_age_seconds ' '$T/d.prom'"
ok "Demak's page is read" scrape "$demak_m" "$T/demak.prom"
ok "the hub's page is read" scrape "$hub_m" "$T/hub.prom"

if command -v promtool >/dev/null; then
	ok "promtool check metrics passes on Demak's page" \
	    sh -c "promtool check metrics < '$T/demak.prom'"
	ok "promtool check metrics passes on the hub's page" \
	    sh -c "promtool check metrics < '$T/hub.prom'"
	ok "promtool check rules passes on the example alert rules" \
	    promtool check rules "$top_srcdir/contrib/simpul-alerts.yml"
else
	skip "promtool check metrics (Demak)" "no promtool (prometheus)"
	skip "promtool check metrics (hub)" "no promtool (prometheus)"
	skip "promtool check rules" "no promtool (prometheus)"
fi
now=$(date +%s)
last=$(val 'simpul_channel_last_success_timestamp_seconds{channel="hub"}' \
    "$T/demak.prom")
ok "Demak's last good round on the hub channel is a time of this run" \
    test "$last" -gt $((now - 60)) -a "$last" -le $((now + 1))
ok "its rounds are counted as ok" \
    test "$(val 'simpul_sync_round_duration_seconds_count{state="ok"}' \
    "$T/demak.prom")" -ge 1
ok "the batch it sent is acknowledged: no backlog left" \
    test "$(val 'simpul_channel_unacked_batches{channel="hub"}' \
    "$T/demak.prom")" = 0
eq "one 24-hour clock is overdue at Demak" 1 \
    "$(val 'simpul_clocks_overdue{clock="24h"}' "$T/demak.prom")"
eq "every clock kind has a series" 7 \
    "$(grep -c '^simpul_clocks_overdue{' "$T/demak.prom")"
counted=$(val simpul_clocks_overdue_timestamp_seconds "$T/demak.prom")
ok "the page says when the overdue clocks were counted" \
    test "$counted" -gt $((now - 60)) -a "$counted" -le $((now + 1))
SIMPUL_NOW=$(date -u -d '-3 days' +%Y-%m-%dT%H:%M:%S+00:00) \
    "$SIMPUL" --db "$DEMAK" complaint file --title "Lampu mati" \
    --body "Gelap" >/dev/null
ok "a second overdue complaint is filed" test $? = 0
ok "the page is read again" scrape "$demak_m" "$T/demak2.prom"
eq "within metrics.overdue_seconds the count is reused" 1 \
    "$(val 'simpul_clocks_overdue{clock="24h"}' "$T/demak2.prom")"
eq "with the time it was made" "$counted" \
    "$(val simpul_clocks_overdue_timestamp_seconds "$T/demak2.prom")"
ok "the database size is the file's at least" test \
    "$(val simpul_database_bytes "$T/demak.prom")" -ge "$(stat -c %s "$DEMAK")"
ok "the CRL's age is there" grep -q '^simpul_crl_age_seconds [0-9]' \
    "$T/demak.prom"
ok "the hub counted Demak's POST by endpoint and status" test \
    "$(val 'simpul_http_request_duration_seconds_count{endpoint="/v1/batches",status="200"}' \
    "$T/hub.prom")" -ge 1
ok "with a latency histogram ending in +Inf" grep -q \
    '^simpul_http_request_duration_seconds_bucket{endpoint="/v1/batches",status="200",le="+Inf"} ' \
    "$T/hub.prom"
eq "the hub has Demak's channel, no equivocation" 0 \
    "$(val 'simpul_channel_equivocations{channel="33.21"}' "$T/hub.prom")"
ok "the metrics listener answers nothing else" test "$(curl -s -o /dev/null \
    -w '%{http_code}' "http://127.0.0.1:$hub_m/v1/status")" = 404
ok "and reads no body" test "$(curl -s -o /dev/null -w '%{http_code}' -d x \
    "http://127.0.0.1:$hub_m/metrics")" = 413

# doctor reads the hub's clock from the Date of its answer.
run --db "$DEMAK" doctor
has "doctor finds Demak's clock within a minute of the hub's" "$T/out" \
    '^ok +clock: within 60 s of the hub.s \(-?[0-9]+ s\)$'
SIMPUL_NOW=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%S+00:00) \
    run --db "$DEMAK" doctor
eq "a clock an hour slow: exit 1" 1 "$(cat "$T/rc")"
has "says how far behind, and what to do" "$T/out" \
    '^PROBLEM +clock: 3[56][0-9]{2} s behind the hub.s \(more than 60 s\); do: synchronise the clock'

ok "Demak stops" stop_node demak
ok "the hub stops" stop_node hub
run --db "$DEMAK" doctor
has "a hub that does not answer is a problem, not a silent skip" "$T/out" \
    "^PROBLEM +clock: not compared: cannot reach the hub at https://localhost:$hub_port: .*; do: check the network"

# The last good round is stored: a restart, with the hub gone, keeps it.
"$SIMPUL" --db "$DEMAK" serve --metrics 0 >"$T/again.log" 2>&1 &
demak_pid=$!
echo "$demak_pid" >> "$T/.pids"
eventually "Demak serves again, without its hub" 10 \
    grep -q 'event=metrics port=' "$T/again.log"
ok "its page is read" scrape "$(metrics_port again)" "$T/again.prom"
eq "the last good round is the one before the restart" "$last" \
    "$(val 'simpul_channel_last_success_timestamp_seconds{channel="hub"}' \
    "$T/again.prom")"
eq "a new process counts again: both overdue complaints" 2 \
    "$(val 'simpul_clocks_overdue{clock="24h"}' "$T/again.prom")"
run --db "$DEMAK" status
has "status tells it too" "$T/out" '^  last good round at [0-9]{4}-'
ok "Demak stops again" stop_node demak
form='^ts=[0-9-]{10}T[0-9:]{8}Z level=(crit|warn|info|debug)( event=[a-z]+)?( [a-z_]+=[^ "]*)*( msg="([^"\\]|\\.)*")?$'
for n in hub demak; do
	ok "every line of $n's log is one key=value event" \
	    sh -c "! grep -Ev '$form' '$T/$n.log'"
done
ok "requests are logged with their fields" grep -q \
    'level=info event=request peer=33.21 method=POST path=/v1/batches status=200 bytes=[0-9]* ms=[0-9]*$' \
    "$T/hub.log"
ok "good rounds too" grep -q \
    'level=info event=round peer=hub state=ok sent=1 ' "$T/demak.log"
ok "no reporter identity in any log" sh -c "! grep -Eq \
    'Siti|Rahayu|5550|3321015501900003' '$T/hub.log' '$T/demak.log'"

# Under systemd stderr is the journal's stream, named by JOURNAL_STREAM.
: > "$T/journal.log"
JOURNAL_STREAM=$(stat -c %d:%i "$T/journal.log") \
    "$SIMPUL" --db "$HUB" serve --listen 127.0.0.1:0 2>>"$T/journal.log" &
j_pid=$!
echo "$j_pid" >> "$T/.pids"
eventually "to the journal, info lines carry priority 6" 10 \
    grep -q '^<6>level=info msg="hub listening on port' "$T/journal.log"
kill -TERM "$j_pid"
wait "$j_pid"
ok "and no timestamp of their own (journald keeps it)" sh -c \
    "! grep -q 'ts=' '$T/journal.log'"
JOURNAL_STREAM=1:1 "$SIMPUL" --db "$HUB" serve --listen 127.0.0.1:0 \
    2>"$T/j2.log" &
j_pid=$!
echo "$j_pid" >> "$T/.pids"
eventually "a JOURNAL_STREAM that is not stderr is ignored" 10 \
    grep -q '^ts=.* level=info msg="hub listening on port' "$T/j2.log"
kill -TERM "$j_pid"
wait "$j_pid"

done_testing
