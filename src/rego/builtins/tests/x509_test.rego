# crypto.x509.* and crypto.parse_private_keys over a test chain made for tollgate with openssl
# (EC P-256 root, intermediate, leaf with DNS, URI and IP names; valid until 2120), values as
# OPA returns them (checked against opa 1.22.4).
package builtins.x509_test

root := `-----BEGIN CERTIFICATE-----
MIIBnzCCAUagAwIBAgIBATAKBggqhkjOPQQDAjA1MRYwFAYDVQQKDA10b2xsZ2F0
ZSB0ZXN0MRswGQYDVQQDDBJ0b2xsZ2F0ZSB0ZXN0IHJvb3QwIBcNMjYxMjA3MTk0
MjUxWhgPMjEyNjExMTMxOTQyNTFaMDUxFjAUBgNVBAoMDXRvbGxnYXRlIHRlc3Qx
GzAZBgNVBAMMEnRvbGxnYXRlIHRlc3Qgcm9vdDBZMBMGByqGSM49AgEGCCqGSM49
AwEHA0IABEmzZXh7S1Nz5gp3vYNTGnBjiQsGj2fycmh2bkPdJPos3O+Zg/Piagy8
D7ynFP4IUds3hobcMyHPM3uyDoQrvMWjRTBDMBIGA1UdEwEB/wQIMAYBAf8CAQEw
DgYDVR0PAQH/BAQDAgEGMB0GA1UdDgQWBBRWbvhviu/z1QdkdqToWt8i1HbiwzAK
BggqhkjOPQQDAgNHADBEAiBL4UZeu6+2M1S643IkcsHrnI1DbN3IheKDp+lOYm01
YgIgCc45PyD+SiO2KREwGhsePMqYVYLFdGGH8Azkvu91PWg=
-----END CERTIFICATE-----
`

intermediate := `-----BEGIN CERTIFICATE-----
MIIByTCCAW+gAwIBAgIBAjAKBggqhkjOPQQDAjA1MRYwFAYDVQQKDA10b2xsZ2F0
ZSB0ZXN0MRswGQYDVQQDDBJ0b2xsZ2F0ZSB0ZXN0IHJvb3QwIBcNMjYxMjA3MTk0
MjUyWhgPMjEyNTA3MDExOTQyNTJaMD0xFjAUBgNVBAoMDXRvbGxnYXRlIHRlc3Qx
IzAhBgNVBAMMGnRvbGxnYXRlIHRlc3QgaW50ZXJtZWRpYXRlMFkwEwYHKoZIzj0C
AQYIKoZIzj0DAQcDQgAEJbyftwMZQxfv9iJ94FJ/25PaYrB87tozIE4rHp580p9l
oZ6BGmXc+jsrY+fkwvVa9dSCZr93Ew4SSCBJVUI1QKNmMGQwEgYDVR0TAQH/BAgw
BgEB/wIBADAOBgNVHQ8BAf8EBAMCAQYwHQYDVR0OBBYEFCMX+hs8VoJoGbHQreFW
Cns9kMtpMB8GA1UdIwQYMBaAFFZu+G+K7/PVB2R2pOha3yLUduLDMAoGCCqGSM49
BAMCA0gAMEUCIENwnX7hG6KdGUU4TNOmcZlielm7ZRuPGMDxMQj/DrsQAiEApuch
b1hEq6n4+xhCe6fP7Mx/HiUjvA2pUvFAwcoFdUU=
-----END CERTIFICATE-----
`

leaf := `-----BEGIN CERTIFICATE-----
MIICADCCAaegAwIBAgIBAzAKBggqhkjOPQQDAjA9MRYwFAYDVQQKDA10b2xsZ2F0
ZSB0ZXN0MSMwIQYDVQQDDBp0b2xsZ2F0ZSB0ZXN0IGludGVybWVkaWF0ZTAgFw0y
NjEyMDcxOTQyNTJaGA8yMTIyMTAwNTE5NDI1MlowHDEaMBgGA1UEAwwRc3ZjLnRv
bGxnYXRlLnRlc3QwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQNkBjhHeO6vd1z
ai3HAtI/CckmblXVB6/HWaU1NPy7pGtBO5SgU4Nn8KWLw8BR4epOvat4xXfNl3hu
MABMbfh+o4G2MIGzMAwGA1UdEwEB/wQCMAAwDgYDVR0PAQH/BAQDAgeAMBMGA1Ud
JQQMMAoGCCsGAQUFBwMBMD4GA1UdEQQ3MDWCEXN2Yy50b2xsZ2F0ZS50ZXN0hhpz
cGlmZmU6Ly90b2xsZ2F0ZS50ZXN0L3N2Y4cECgAAATAdBgNVHQ4EFgQUDCjoOG8R
lyNqd9h65hsl+bGvuVYwHwYDVR0jBBgwFoAUIxf6GzxWgmgZsdCt4VYKez2Qy2kw
CgYIKoZIzj0EAwIDRwAwRAIgJGx74roe4712ExzQTDTatv+R6yz+jEnyN4UlS4Us
ZJ0CIBYU1e9qZ7fwWFMGKrlOmtQjBhnTqqnjhSsixQA728ZK
-----END CERTIFICATE-----
`

leaf_key := `-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIC16MqTJGkh74DoLamxVMQnrXZrDYqrU1M2rEweL/+HRoAoGCCqGSM49
AwEHoUQDQgAEDZAY4R3jur3dc2otxwLSPwnJJm5V1Qevx1mlNTT8u6RrQTuUoFOD
Z/Cli8PAUeHqTr2reMV3zZd4bjAATG34fg==
-----END EC PRIVATE KEY-----
`

leaf_csr := `-----BEGIN CERTIFICATE REQUEST-----
MIHVMH4CAQAwHDEaMBgGA1UEAwwRc3ZjLnRvbGxnYXRlLnRlc3QwWTATBgcqhkjO
PQIBBggqhkjOPQMBBwNCAAQNkBjhHeO6vd1zai3HAtI/CckmblXVB6/HWaU1NPy7
pGtBO5SgU4Nn8KWLw8BR4epOvat4xXfNl3huMABMbfh+oAAwCgYIKoZIzj0EAwID
RwAwRAIgQ3Gyu0USUp90ddu6kIEWuOIQ7fWOg5wVf7NuVcxU/AwCIE34yti3wTXs
SO37uZopZ59EbzxX2pH9lahbUQa0aT8C
-----END CERTIFICATE REQUEST-----
`

rsa_key := `-----BEGIN RSA PRIVATE KEY-----
MIICXQIBAAKBgQDFTxWyDk2hxCQdFfM/jgrIF+t3oFGtVUE1jhCI8XOalPPJWAgq
RQGi6jl2IXxFU8vT+Yfo/ah4tooWUQWzyxPxycVIcRKWGDRrKJI8jNSxaVOUkAqP
zGzfzjygBOiWKUhWsiea1dy5Wfj452hZLDcICECmvoB4HUFx4eL+yHpkkQIDAQAB
AoGAP+m/QF8rvIPZouZSVjr/uRMufiCbdIdSSTPMnV+BMAih842lj3Os9QXkOSTd
qWNcejyxTsKkCP4wOsxiCXx15+G4Yqy9uKhxfuVNbVPRxj2rWp3PKAPW3ULUim+M
fjLikgRazXu64m9nhZBF8l2XWdjWoBSnArIYDIABCmk2MlUCQQDuGk5jiK/hhXvm
sqq/EI00u1Qpsq1ssLSAqqEXmSmJURR9oWgDO0ej5WXZCLpek9NFPrucnxhfz8dN
dv4IOO4vAkEA1CPNjcHJrhn9dxkF4Wi1pLZAN4h41XfgwhMPUGZTzY0ze2i3Xl2Z
MFfK3hhkbmxbSbNX2kwUZO8oLGHw1IHpPwJBAIUR2KuSEdH1eyiUxA6iXniRFVl0
ja4IF+ks83kv1WH0GYKY+XuM3t3/b+tbEGWZMmMpy0qeM84gXp+xmAnaX2sCQBYc
kT1YWJw0C05RpmJDVsOPV4wyRl4Bu8Se1fbMY6nGMPqJBKvqV6BJVlTl9/nmg3Fg
JyUSzwFiSC6wGrkbvWMCQQCZYwg/fJC4OtM99TG2Szwgke9GWQDE7KAJws6YQ7S7
PA/q6cw/Xef9HrL1Pv1Bkfv8yZ9cSv9pJXdKrp/Fc+2A
-----END RSA PRIVATE KEY-----
`

chain := concat("", [root, intermediate, leaf])

test_parse_certificates if {
	certs := crypto.x509.parse_certificates(chain)
	[c.Subject.CommonName | some c in certs] == ["tollgate test root", "tollgate test intermediate", "svc.tollgate.test"]
	certs[0].Subject.Organization == ["tollgate test"]
	certs[0].IsCA
	certs[0].MaxPathLen == 1
	certs[1].MaxPathLenZero
	l := certs[2]
	l.Version == 3
	l.SerialNumber == 3
	l.SignatureAlgorithm == 10
	l.PublicKeyAlgorithm == 3
	l.PublicKey.Curve == {}
	l.KeyUsage == 1
	l.ExtKeyUsage == [1]
	l.BasicConstraintsValid
	not l.IsCA
	l.DNSNames == ["svc.tollgate.test"]
	l.IPAddresses == ["10.0.0.1"]
	l.URIStrings == ["spiffe://tollgate.test/svc"]
	l.URIs[0].Host == "tollgate.test"
	l.URIs[0].Path == "/svc"
	l.Issuer.CommonName == "tollgate test intermediate"
	l.EmailAddresses == null
	crypto.x509.parse_certificates(base64.encode(leaf))[0].Raw == l.Raw
	crypto.x509.parse_certificates(l.Raw)[0].Subject.CommonName == "svc.tollgate.test"
	not crypto.x509.parse_certificates("YmFkc3RyaW5n")
}

test_parse_and_verify_certificates if {
	[valid, certs] := crypto.x509.parse_and_verify_certificates(chain)
	valid
	[c.Subject.CommonName | some c in certs] == ["svc.tollgate.test", "tollgate test intermediate", "tollgate test root"]
	crypto.x509.parse_and_verify_certificates(concat("", [intermediate, leaf]))[0]
	crypto.x509.parse_and_verify_certificates(concat("", [root, leaf])) == [false, []]
	crypto.x509.parse_and_verify_certificates(leaf) == [false, []]
	with_options({"DNSName": "svc.tollgate.test", "KeyUsages": ["KeyUsageServerAuth"]})
	not with_options({"DNSName": "other.tollgate.test"})
	not with_options({"KeyUsages": ["KeyUsageCodeSigning"]})
	not with_options({"CurrentTime": 0})
	not crypto.x509.parse_and_verify_certificates_with_options(chain, {"KeyUsages": ["Bogus"]})
}

with_options(options) := crypto.x509.parse_and_verify_certificates_with_options(chain, options)[0]

test_parse_certificate_request if {
	csr := crypto.x509.parse_certificate_request(leaf_csr)
	csr.Subject.CommonName == "svc.tollgate.test"
	csr.PublicKeyAlgorithm == 3
	csr.Version == 0
	crypto.x509.parse_certificate_request(base64.encode(leaf_csr)).Raw == csr.Raw
}

test_keys if {
	pair := crypto.x509.parse_keypair(leaf, leaf_key)
	pair.Leaf.Subject.CommonName == "svc.tollgate.test"
	count(pair.Certificate) == 1
	pair.PrivateKey.Curve == {}
	not crypto.x509.parse_keypair(root, leaf_key)
	jwk := crypto.x509.parse_rsa_private_key(rsa_key)
	jwk.kty == "RSA"
	jwk.e == "AQAB"
	keys := crypto.parse_private_keys(concat("", [rsa_key, leaf_key]))
	count(keys) == 2
	keys[0].E == 65537
	keys[1].X == pair.PrivateKey.X
	is_null(crypto.parse_private_keys(""))
	crypto.parse_private_keys("nope") == []
}
