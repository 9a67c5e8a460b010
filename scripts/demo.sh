#!/bin/sh
# demo.sh: the quick start.  Installs what is missing, builds simpul, makes
# a development PKI, creates Kabupaten Demak's node (33.21) in demo/, loads
# the 2026 calendar and the topic list, adds its peers, and shows the
# node's settings and certificate.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
sh "$top/scripts/deps.sh"
echo "== building simpul (build/release)"
sh "$top/scripts/build.sh" release
simpul=$top/build/release/simpul
demo=$top/demo
rm -rf "$demo"
mkdir -p "$demo"

echo "== making a development federation PKI (demo/pki)"
"$top/certs/mkcerts.sh" -d "$demo/pki" hub 33.21 33.28 >/dev/null

export SIMPUL_DB="$demo/demak.db"
echo "== simpul init: Kabupaten Demak, node 33.21"
"$simpul" init --node 33.21 --name "Kabupaten Demak" \
    --cert "$demo/pki/33.21.pem" --key "$demo/pki/33.21.key" \
    --ca "$demo/pki/ca.pem" --crl "$demo/pki/crl.pem" \
    --hub https://localhost:7400 --zone WIB
"$simpul" calendar load "$top/data/holidays-2026.txt"
"$simpul" category load "$top/data/topics.tsv"
"$simpul" peer add hub https://localhost:7400
"$simpul" peer add 33.28
"$simpul" config set target.hours 24

echo "== simpul config get"
"$simpul" config get
echo "== simpul peer list"
"$simpul" peer list
cat <<EOT

Demak's node is ready: everything it knows is in demo/demak.db.
Look further with:
  export SIMPUL_DB=$demo/demak.db
  $simpul --help
  $simpul calendar list 2026
  $simpul category list
EOT
