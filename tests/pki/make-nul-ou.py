#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# IBM Z signing-key certificates whose OU has an embedded NUL, for the
# host-key verification tests (the openssl command cannot write such a name).
#
#   make-nul-ou.py INTER_CRT INTER_KEY SIGNING_KEY OUT_DIR
#
# Writes OUT_DIR/signing_nul_ou.crt (OU "IBM Z Host Key Signing Service\0x")
# and OUT_DIR/signing_nul_prefix.crt (OU "x\0IBM Z Host Key Signing Service"),
# both for the key SIGNING_KEY and issued by the intermediate CA.
import datetime
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

IBM = "International Business Machines Corporation"
OU = "IBM Z Host Key Signing Service"


def load_key(path):
    with open(path, "rb") as f:
        return serialization.load_pem_private_key(f.read(), password=None)


def main():
    if len(sys.argv) != 5:
        print(f"usage: {sys.argv[0]} INTER_CRT INTER_KEY SIGNING_KEY OUT_DIR", file=sys.stderr)
        return 2
    inter_crt, inter_key_path, signing_key_path, out = sys.argv[1:]
    with open(inter_crt, "rb") as f:
        inter = x509.load_pem_x509_certificate(f.read())
    inter_key = load_key(inter_key_path)
    signing_pub = load_key(signing_key_path).public_key()
    now = datetime.datetime.now(datetime.timezone.utc)

    for name, ou in (("signing_nul_ou", OU + "\0x"), ("signing_nul_prefix", "x\0" + OU)):
        subject = x509.Name([
            x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, IBM),
            x509.NameAttribute(NameOID.COMMON_NAME, IBM),
            x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "New York"),
            x509.NameAttribute(NameOID.LOCALITY_NAME, "Poughkeepsie"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou),
        ])
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(inter.subject)
            .public_key(signing_pub)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=730))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False,
                                         False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(signing_pub),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                inter.public_key()), critical=False)
            .sign(inter_key, hashes.SHA256())
        )
        with open(f"{out}/{name}.crt", "wb") as f:
            f.write(cert.public_bytes(serialization.Encoding.PEM))
    return 0


if __name__ == "__main__":
    sys.exit(main())
