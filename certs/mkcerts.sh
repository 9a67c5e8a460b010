#!/bin/sh
# mkcerts.sh: a development federation PKI for simpul.
#
#   certs/mkcerts.sh [-d DIR] [--rsa] [--test] [--since DATE]
#       [--revoke CODE]... CODE[=HOST]...
#
# Makes (once) a federation CA in DIR (default ./pki), valid from 2019 so
# that documents can be judged at past trusted times, then for each node
# code a key and a certificate with CN = code and subjectAltName = HOST
# (default localhost) and 127.0.0.1, and a current CRL.  Keys are ECDSA
# P-256, or RSA-2048 with --rsa.  --test also makes what the tests need, for
# the first code: an expired certificate, a revoked one (listed in the CRL),
# and a rogue CA with a certificate of its own.  --since YYYYMMDDHHMMSSZ
# backdates the node (and revoked) certificates, for documents with fixed
# past times.  --revoke CODE revokes DIR/CODE.pem at the CA (now) and
# issues the CRL again (its number goes up), as the CA operator does
# after start; the hub then serves the new crl.pem.  Private keys are made
# here and never committed.
set -eu

dir=pki
alg=ec
test=0
since=
revoke=
while [ $# -gt 0 ]; do
	case $1 in
	-d) dir=$2; shift 2 ;;
	--rsa) alg=rsa; shift ;;
	--test) test=1; shift ;;
	--since) since=$2; shift 2 ;;
	--revoke) revoke="$revoke $2"; shift 2 ;;
	-h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "mkcerts.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || [ -n "$revoke" ] || {
	echo "usage: mkcerts.sh [-d DIR] [--rsa] [--test] [--revoke CODE]..." \
	    "CODE[=HOST]..." >&2
	exit 2
}

mkdir -p "$dir/ca"
umask 077

newkey() {	# newkey FILE
	if [ "$alg" = rsa ]; then
		openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null
	else
		openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"
	fi
}

# An "openssl ca" database, so that certificates can be revoked and a CRL
# signed; $1 is the CA's directory.
cadb() {
	[ -f "$1/index.txt" ] && return 0
	: > "$1/index.txt"
	echo 1000 > "$1/serial"
	echo 1000 > "$1/crlnumber"
	cat > "$1/openssl.cnf" <<CNF
[ ca ]
default_ca = fed
[ fed ]
dir = $1
database = \$dir/index.txt
serial = \$dir/serial
crlnumber = \$dir/crlnumber
new_certs_dir = \$dir
certificate = \$dir/ca.pem
private_key = \$dir/ca.key
default_md = sha256
default_days = 825
default_crl_days = 30
policy = any
unique_subject = no
copy_extensions = copy
[ any ]
commonName = supplied
organizationName = optional
[ cacert ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ node ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
CNF
}

# A self-signed CA valid from 2019-01-01 to 2045, through "openssl ca"
# (req -x509 cannot set a start date in OpenSSL 3.0).
mkca() {	# mkca DIR NAME
	[ -f "$1/ca.pem" ] && return 0
	newkey "$1/ca.key"
	cadb "$1"
	openssl req -new -key "$1/ca.key" -out "$1/ca.csr" \
	    -subj "/O=SP4N-LAPOR! federation (development)/CN=$2" 2>/dev/null
	openssl ca -batch -selfsign -config "$1/openssl.cnf" \
	    -keyfile "$1/ca.key" -extensions cacert -in "$1/ca.csr" \
	    -out "$1/ca.pem" -notext -startdate 20190101000000Z \
	    -enddate 20451231235959Z 2>/dev/null
	rm -f "$1/ca.csr"
}

# issue CA-DIR OUT-BASENAME CODE HOST [openssl ca date options...]
issue() {
	cadir=$1 out=$2 code=$3 host=$4
	shift 4
	newkey "$out.key"
	san="DNS:$host,IP:127.0.0.1"
	openssl req -new -key "$out.key" -out "$out.csr" \
	    -subj "/O=SP4N-LAPOR! federation (development)/CN=$code" \
	    -addext "subjectAltName=$san" 2>/dev/null
	openssl ca -batch -config "$cadir/openssl.cnf" -extensions node \
	    -in "$out.csr" -out "$out.pem" -notext "$@" 2>/dev/null
	rm -f "$out.csr"
}

crl() {		# crl CA-DIR OUT
	openssl ca -batch -config "$1/openssl.cnf" -gencrl -out "$2" 2>/dev/null
}

ca=$(cd "$dir" && pwd)/ca
mkca "$ca" "simpul development federation CA"
cp "$ca/ca.pem" "$dir/ca.pem"

first=
for arg in "$@"; do
	code=${arg%%=*}
	host=localhost
	[ "$arg" != "$code" ] && host=${arg#*=}
	first=${first:-$code}
	[ -f "$dir/$code.pem" ] || issue "$ca" "$dir/$code" "$code" "$host" \
	    ${since:+-startdate "$since"}
	echo "$dir/$code.pem (CN=$code, $host)"
done

if [ "$test" = 1 ]; then
	code=$first
	[ -f "$dir/expired-$code.pem" ] || issue "$ca" "$dir/expired-$code" \
	    "$code" localhost -startdate 20200101000000Z -enddate 20210101000000Z
	if [ ! -f "$dir/revoked-$code.pem" ]; then
		issue "$ca" "$dir/revoked-$code" "$code" localhost \
		    ${since:+-startdate "$since"}
		openssl ca -batch -config "$ca/openssl.cnf" \
		    -revoke "$dir/revoked-$code.pem" 2>/dev/null
	fi
	rogue=$(cd "$dir" && pwd)/rogue
	mkdir -p "$rogue"
	mkca "$rogue" "simpul development federation CA"
	cp "$rogue/ca.pem" "$dir/rogue-ca.pem"
	[ -f "$dir/rogue-$code.pem" ] || issue "$rogue" "$dir/rogue-$code" "$code" localhost
	echo "$dir/expired-$code.pem, $dir/revoked-$code.pem, $dir/rogue-$code.pem (test)"
fi
for code in $revoke; do
	openssl ca -batch -config "$ca/openssl.cnf" -revoke "$dir/$code.pem" \
	    2>/dev/null
	echo "$dir/$code.pem revoked"
done
crl "$ca" "$dir/crl.pem"
echo "$dir/ca.pem, $dir/crl.pem"
