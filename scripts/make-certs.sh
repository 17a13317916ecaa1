#!/usr/bin/env bash
# Makes a test CA and one certificate per cluster node, for fedactors.cluster.tls:
#
#   scripts/make-certs.sh OUT_DIR [NODE...]        (default nodes: node1 node2 node3)
#
# OUT_DIR gets ca.pem (the CA certificate: fedactors.cluster.tls.ca-certificate-path), ca.key (keep it
# private; it signs further nodes when the script runs again on the same OUT_DIR), and NODE.p12 per node
# (certificate and key: fedactors.cluster.tls.certificate-path), protected by $FEDACTORS_CERT_PASSWORD
# (default "fedactors": fedactors.cluster.tls.certificate-password). Certificates are valid for localhost,
# 127.0.0.1 and the node name, for server and client authentication, for 365 days. For tests and demos:
# a real deployment gets its certificates from its own PKI.
set -euo pipefail

if [[ $# -lt 1 || "$1" == "-h" || "$1" == "--help" ]]; then
  sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
  exit $([[ $# -lt 1 ]] && echo 2 || echo 0)
fi
command -v openssl >/dev/null || { echo "make-certs.sh: openssl is not installed" >&2; exit 1; }

out=$1
shift
nodes=("$@")
[[ ${#nodes[@]} -gt 0 ]] || nodes=(node1 node2 node3)
password=${FEDACTORS_CERT_PASSWORD:-fedactors}
mkdir -p "$out"
umask 077

if [[ ! -f "$out/ca.key" || ! -f "$out/ca.pem" ]]; then
  openssl req -x509 -newkey rsa:2048 -sha256 -days 365 -nodes -subj "/CN=FedActors test CA $(date +%s%N)" \
    -keyout "$out/ca.key" -out "$out/ca.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  echo "CA: $out/ca.pem"
fi

for node in "${nodes[@]}"; do
  [[ "$node" =~ ^[A-Za-z0-9._-]+$ ]] || { echo "make-certs.sh: bad node name '$node'" >&2; exit 2; }
  ext=$(mktemp)
  trap 'rm -f "$ext"' EXIT
  printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth,clientAuth" "subjectAltName=DNS:localhost,DNS:$node,IP:127.0.0.1" > "$ext"
  openssl req -newkey rsa:2048 -sha256 -nodes -subj "/CN=$node" -keyout "$out/$node.key" -out "$out/$node.csr" 2>/dev/null
  openssl x509 -req -sha256 -days 365 -in "$out/$node.csr" -CA "$out/ca.pem" -CAkey "$out/ca.key" -CAcreateserial \
    -extfile "$ext" -out "$out/$node.pem" 2>/dev/null
  openssl pkcs12 -export -inkey "$out/$node.key" -in "$out/$node.pem" -certfile "$out/ca.pem" -name "$node" \
    -passout "pass:$password" -out "$out/$node.p12"
  rm -f "$out/$node.csr" "$out/$node.key" "$ext"
  echo "node: $out/$node.p12"
done
