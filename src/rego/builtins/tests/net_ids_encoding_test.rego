# net.cidr_*, uuid.*, hex.*, urlquery.*, crypto hashes: values from OPA's documentation and cases.
package builtins.net_ids_encoding_test

test_cidr if {
	net.cidr_contains("10.0.0.0/8", "10.1.2.3")
	net.cidr_contains("2001:4860::/32", "2001:4860:4860:1234::8888/40")
	net.cidr_intersects("192.168.1.0/25", "192.168.1.64/25")
	net.cidr_expand("192.168.1.1/30") == {"192.168.1.0", "192.168.1.1", "192.168.1.2", "192.168.1.3"}
	net.cidr_merge(["192.0.128.0/24", "192.0.129.0/24"]) == {"192.0.128.0/23"}
	net.cidr_contains_matches(["1.1.2.0/24", "1.1.1.0/24"], ["1.1.1.1", "1.1.2.1"]) == {[0, 1], [1, 0]}
	not net.cidr_is_valid("192.168.1.2")
}

test_uuid if {
	uuid.parse("00000000-0000-4000-8000-000000000000").version == 4
	uuid.rfc4122("k") == uuid.rfc4122("k")
}

test_encodings if {
	hex.encode("lorem ipsum") == "6c6f72656d20697073756d"
	hex.decode("6c6f72656d20697073756d") == "lorem ipsum"
	urlquery.encode("a=b+1") == "a%3Db%2B1"
	urlquery.encode_object({"a": ["b+1", "c+2"]}) == "a=b%2B1&a=c%2B2"
	urlquery.decode_object("a=1&a=2&b=x") == {"a": ["1", "2"], "b": ["x"]}
}

test_crypto if {
	crypto.sha256("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	crypto.md5("abc") == "900150983cd24fb0d6963f7d28e17f72"
	crypto.hmac.sha256("hello", "secret") == "88aab3ede8d3adf94d26ab90d3bafd4a2083070c3bcce9c014ee04a443847c0b"
	crypto.hmac.equal("abc", "abc")
}
