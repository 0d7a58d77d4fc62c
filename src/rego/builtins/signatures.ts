/**
 * Type signatures of the builtins in OPA's capabilities format (argument and result types, as
 * `opa capabilities` declares them; descriptions left out), for `tollgate policy capabilities`.
 * Facts about OPA's interface: test/rego/capabilities.test.ts compares them with the real opa.
 */

/** Builtin name -> its `decl` as JSON text. */
export const SIGNATURES: Readonly<Record<string, string>> = {
  abs: '{"args":[{"name":"x","type":"number"}],"result":{"name":"y","type":"number"},"type":"function"}',
  all: '{"args":[{"of":[{"dynamic":{"type":"any"},"type":"array"},{"of":{"type":"any"},"type":"set"}],"type":"any"}],"result":{"type":"boolean"},"type":"function"}',
  and: '{"args":[{"name":"x","of":{"type":"any"},"type":"set"},{"name":"y","of":{"type":"any"},"type":"set"}],"result":{"name":"z","of":{"type":"any"},"type":"set"},"type":"function"}',
  any: '{"args":[{"of":[{"dynamic":{"type":"any"},"type":"array"},{"of":{"type":"any"},"type":"set"}],"type":"any"}],"result":{"type":"boolean"},"type":"function"}',
  "array.concat":
    '{"args":[{"dynamic":{"type":"any"},"name":"x","type":"array"},{"dynamic":{"type":"any"},"name":"y","type":"array"}],"result":{"dynamic":{"type":"any"},"name":"z","type":"array"},"type":"function"}',
  "array.flatten":
    '{"args":[{"dynamic":{"type":"any"},"name":"arr","type":"array"}],"result":{"dynamic":{"type":"any"},"name":"flattened","type":"array"},"type":"function"}',
  "array.reverse":
    '{"args":[{"dynamic":{"type":"any"},"name":"arr","type":"array"}],"result":{"dynamic":{"type":"any"},"name":"rev","type":"array"},"type":"function"}',
  "array.slice":
    '{"args":[{"dynamic":{"type":"any"},"name":"arr","type":"array"},{"name":"start","type":"number"},{"name":"stop","type":"number"}],"result":{"dynamic":{"type":"any"},"name":"slice","type":"array"},"type":"function"}',
  assign: '{"args":[{"type":"any"},{"type":"any"}],"result":{"type":"boolean"},"type":"function"}',
  "base64.decode": '{"args":[{"name":"x","type":"string"}],"result":{"name":"y","type":"string"},"type":"function"}',
  "base64.encode": '{"args":[{"name":"x","type":"string"}],"result":{"name":"y","type":"string"},"type":"function"}',
  "base64.is_valid":
    '{"args":[{"name":"x","type":"string"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  "base64url.decode": '{"args":[{"name":"x","type":"string"}],"result":{"name":"y","type":"string"},"type":"function"}',
  "base64url.encode": '{"args":[{"name":"x","type":"string"}],"result":{"name":"y","type":"string"},"type":"function"}',
  "base64url.encode_no_pad":
    '{"args":[{"name":"x","type":"string"}],"result":{"name":"y","type":"string"},"type":"function"}',
  "bits.and":
    '{"args":[{"name":"x","type":"number"},{"name":"y","type":"number"}],"result":{"name":"z","type":"number"},"type":"function"}',
  "bits.lsh":
    '{"args":[{"name":"x","type":"number"},{"name":"s","type":"number"}],"result":{"name":"z","type":"number"},"type":"function"}',
  "bits.negate": '{"args":[{"name":"x","type":"number"}],"result":{"name":"z","type":"number"},"type":"function"}',
  "bits.or":
    '{"args":[{"name":"x","type":"number"},{"name":"y","type":"number"}],"result":{"name":"z","type":"number"},"type":"function"}',
  "bits.rsh":
    '{"args":[{"name":"x","type":"number"},{"name":"s","type":"number"}],"result":{"name":"z","type":"number"},"type":"function"}',
  "bits.xor":
    '{"args":[{"name":"x","type":"number"},{"name":"y","type":"number"}],"result":{"name":"z","type":"number"},"type":"function"}',
  cast_array: '{"args":[{"type":"any"}],"result":{"dynamic":{"type":"any"},"type":"array"},"type":"function"}',
  cast_boolean: '{"args":[{"type":"any"}],"result":{"type":"boolean"},"type":"function"}',
  cast_null: '{"args":[{"type":"any"}],"result":{"type":"null"},"type":"function"}',
  cast_object:
    '{"args":[{"type":"any"}],"result":{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"},"type":"function"}',
  cast_set: '{"args":[{"type":"any"}],"result":{"of":{"type":"any"},"type":"set"},"type":"function"}',
  cast_string: '{"args":[{"type":"any"}],"result":{"type":"string"},"type":"function"}',
  ceil: '{"args":[{"name":"x","type":"number"}],"result":{"name":"y","type":"number"},"type":"function"}',
  concat:
    '{"args":[{"name":"delimiter","type":"string"},{"name":"collection","of":[{"dynamic":{"type":"string"},"type":"array"},{"of":{"type":"string"},"type":"set"}],"type":"any"}],"result":{"name":"output","type":"string"},"type":"function"}',
  contains:
    '{"args":[{"name":"haystack","type":"string"},{"name":"needle","type":"string"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  count:
    '{"args":[{"name":"collection","of":[{"type":"string"},{"dynamic":{"type":"any"},"type":"array"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"},{"of":{"type":"any"},"type":"set"}],"type":"any"}],"result":{"name":"n","type":"number"},"type":"function"}',
  "crypto.hmac.equal":
    '{"args":[{"name":"mac1","type":"string"},{"name":"mac2","type":"string"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  "crypto.hmac.md5":
    '{"args":[{"name":"x","type":"string"},{"name":"key","type":"string"}],"result":{"name":"y","type":"string"},"type":"function"}',
  "crypto.hmac.sha1":
    '{"args":[{"name":"x","type":"string"},{"name":"key","type":"string"}],"result":{"name":"y","type":"string"},"type":"function"}',
  "crypto.hmac.sha256":
    '{"args":[{"name":"x","type":"string"},{"name":"key","type":"string"}],"result":{"name":"y","type":"string"},"type":"function"}',
  "crypto.hmac.sha512":
    '{"args":[{"name":"x","type":"string"},{"name":"key","type":"string"}],"result":{"name":"y","type":"string"},"type":"function"}',
  "crypto.md5": '{"args":[{"name":"x","type":"string"}],"result":{"name":"y","type":"string"},"type":"function"}',
  "crypto.parse_private_keys":
    '{"args":[{"name":"keys","type":"string"}],"result":{"dynamic":{"dynamic":{"key":{"type":"string"},"value":{"type":"any"}},"type":"object"},"name":"output","type":"array"},"type":"function"}',
  "crypto.sha1": '{"args":[{"name":"x","type":"string"}],"result":{"name":"y","type":"string"},"type":"function"}',
  "crypto.sha256": '{"args":[{"name":"x","type":"string"}],"result":{"name":"y","type":"string"},"type":"function"}',
  "crypto.x509.parse_and_verify_certificates":
    '{"args":[{"name":"certs","type":"string"}],"result":{"name":"output","static":[{"type":"boolean"},{"dynamic":{"dynamic":{"key":{"type":"string"},"value":{"type":"any"}},"type":"object"},"type":"array"}],"type":"array"},"type":"function"}',
  "crypto.x509.parse_and_verify_certificates_with_options":
    '{"args":[{"name":"certs","type":"string"},{"dynamic":{"key":{"type":"string"},"value":{"type":"any"}},"name":"options","type":"object"}],"result":{"name":"output","static":[{"type":"boolean"},{"dynamic":{"dynamic":{"key":{"type":"string"},"value":{"type":"any"}},"type":"object"},"type":"array"}],"type":"array"},"type":"function"}',
  "crypto.x509.parse_certificate_request":
    '{"args":[{"name":"csr","type":"string"}],"result":{"dynamic":{"key":{"type":"string"},"value":{"type":"any"}},"name":"output","type":"object"},"type":"function"}',
  "crypto.x509.parse_certificates":
    '{"args":[{"name":"certs","type":"string"}],"result":{"dynamic":{"dynamic":{"key":{"type":"string"},"value":{"type":"any"}},"type":"object"},"name":"output","type":"array"},"type":"function"}',
  "crypto.x509.parse_keypair":
    '{"args":[{"name":"cert","type":"string"},{"name":"pem","type":"string"}],"result":{"dynamic":{"key":{"type":"string"},"value":{"type":"any"}},"name":"output","type":"object"},"type":"function"}',
  "crypto.x509.parse_rsa_private_key":
    '{"args":[{"name":"pem","type":"string"}],"result":{"dynamic":{"key":{"type":"string"},"value":{"type":"any"}},"name":"output","type":"object"},"type":"function"}',
  div: '{"args":[{"name":"x","type":"number"},{"name":"y","type":"number"}],"result":{"name":"z","type":"number"},"type":"function"}',
  endswith:
    '{"args":[{"name":"search","type":"string"},{"name":"base","type":"string"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  eq: '{"args":[{"type":"any"},{"type":"any"}],"result":{"type":"boolean"},"type":"function"}',
  equal:
    '{"args":[{"name":"x","type":"any"},{"name":"y","type":"any"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  floor: '{"args":[{"name":"x","type":"number"}],"result":{"name":"y","type":"number"},"type":"function"}',
  format_int:
    '{"args":[{"name":"number","type":"number"},{"name":"base","type":"number"}],"result":{"name":"output","type":"string"},"type":"function"}',
  "glob.match":
    '{"args":[{"name":"pattern","type":"string"},{"name":"delimiters","of":[{"type":"null"},{"dynamic":{"type":"string"},"type":"array"}],"type":"any"},{"name":"match","type":"string"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  "glob.quote_meta":
    '{"args":[{"name":"pattern","type":"string"}],"result":{"name":"output","type":"string"},"type":"function"}',
  "graph.reachable":
    '{"args":[{"dynamic":{"key":{"type":"any"},"value":{"of":[{"dynamic":{"type":"any"},"type":"array"},{"of":{"type":"any"},"type":"set"}],"type":"any"}},"name":"graph","type":"object"},{"name":"initial","of":[{"dynamic":{"type":"any"},"type":"array"},{"of":{"type":"any"},"type":"set"}],"type":"any"}],"result":{"name":"output","of":{"type":"any"},"type":"set"},"type":"function"}',
  "graph.reachable_paths":
    '{"args":[{"dynamic":{"key":{"type":"any"},"value":{"of":[{"dynamic":{"type":"any"},"type":"array"},{"of":{"type":"any"},"type":"set"}],"type":"any"}},"name":"graph","type":"object"},{"name":"initial","of":[{"dynamic":{"type":"any"},"type":"array"},{"of":{"type":"any"},"type":"set"}],"type":"any"}],"result":{"name":"output","of":{"dynamic":{"type":"any"},"type":"array"},"type":"set"},"type":"function"}',
  "graphql.is_valid":
    '{"args":[{"name":"query","of":[{"type":"string"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"}],"type":"any"},{"name":"schema","of":[{"type":"string"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"}],"type":"any"}],"result":{"name":"output","type":"boolean"},"type":"function"}',
  "graphql.parse":
    '{"args":[{"name":"query","of":[{"type":"string"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"}],"type":"any"},{"name":"schema","of":[{"type":"string"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"}],"type":"any"}],"result":{"name":"output","static":[{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"}],"type":"array"},"type":"function"}',
  "graphql.parse_and_verify":
    '{"args":[{"name":"query","of":[{"type":"string"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"}],"type":"any"},{"name":"schema","of":[{"type":"string"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"}],"type":"any"}],"result":{"name":"output","static":[{"type":"boolean"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"}],"type":"array"},"type":"function"}',
  "graphql.parse_query":
    '{"args":[{"name":"query","type":"string"}],"result":{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"name":"output","type":"object"},"type":"function"}',
  "graphql.parse_schema":
    '{"args":[{"name":"schema","type":"string"}],"result":{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"name":"output","type":"object"},"type":"function"}',
  "graphql.schema_is_valid":
    '{"args":[{"name":"schema","of":[{"type":"string"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"}],"type":"any"}],"result":{"name":"output","type":"boolean"},"type":"function"}',
  gt: '{"args":[{"name":"x","type":"any"},{"name":"y","type":"any"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  gte: '{"args":[{"name":"x","type":"any"},{"name":"y","type":"any"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  "hex.decode": '{"args":[{"name":"x","type":"string"}],"result":{"name":"y","type":"string"},"type":"function"}',
  "hex.encode": '{"args":[{"name":"x","type":"string"}],"result":{"name":"y","type":"string"},"type":"function"}',
  "http.send":
    '{"args":[{"dynamic":{"key":{"type":"string"},"value":{"type":"any"}},"name":"request","type":"object"}],"result":{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"name":"response","type":"object"},"type":"function"}',
  indexof:
    '{"args":[{"name":"haystack","type":"string"},{"name":"needle","type":"string"}],"result":{"name":"output","type":"number"},"type":"function"}',
  indexof_n:
    '{"args":[{"name":"haystack","type":"string"},{"name":"needle","type":"string"}],"result":{"dynamic":{"type":"number"},"name":"output","type":"array"},"type":"function"}',
  "internal.member_2": '{"args":[{"type":"any"},{"type":"any"}],"result":{"type":"boolean"},"type":"function"}',
  "internal.member_3":
    '{"args":[{"type":"any"},{"type":"any"},{"type":"any"}],"result":{"type":"boolean"},"type":"function"}',
  "internal.print": '{"args":[{"dynamic":{"of":{"type":"any"},"type":"set"},"type":"array"}],"type":"function"}',
  "internal.template_string":
    '{"args":[{"dynamic":{"type":"any"},"type":"array"}],"result":{"type":"string"},"type":"function"}',
  "internal.test_case": '{"args":[{"dynamic":{"type":"any"},"type":"array"}],"type":"function"}',
  intersection:
    '{"args":[{"name":"xs","of":{"of":{"type":"any"},"type":"set"},"type":"set"}],"result":{"name":"y","of":{"type":"any"},"type":"set"},"type":"function"}',
  "io.jwt.decode":
    '{"args":[{"name":"jwt","type":"string"}],"result":{"name":"output","static":[{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"},{"type":"string"}],"type":"array"},"type":"function"}',
  "io.jwt.decode_verify":
    '{"args":[{"name":"jwt","type":"string"},{"dynamic":{"key":{"type":"string"},"value":{"type":"any"}},"name":"constraints","type":"object"}],"result":{"name":"output","static":[{"type":"boolean"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"}],"type":"array"},"type":"function"}',
  "io.jwt.encode_sign":
    '{"args":[{"dynamic":{"key":{"type":"string"},"value":{"type":"any"}},"name":"headers","type":"object"},{"dynamic":{"key":{"type":"string"},"value":{"type":"any"}},"name":"payload","type":"object"},{"dynamic":{"key":{"type":"string"},"value":{"type":"any"}},"name":"key","type":"object"}],"result":{"name":"output","type":"string"},"type":"function"}',
  "io.jwt.encode_sign_raw":
    '{"args":[{"name":"headers","type":"string"},{"name":"payload","type":"string"},{"name":"key","type":"string"}],"result":{"name":"output","type":"string"},"type":"function"}',
  "io.jwt.verify_eddsa":
    '{"args":[{"name":"jwt","type":"string"},{"name":"certificate","type":"string"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  "io.jwt.verify_es256":
    '{"args":[{"name":"jwt","type":"string"},{"name":"certificate","type":"string"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  "io.jwt.verify_es384":
    '{"args":[{"name":"jwt","type":"string"},{"name":"certificate","type":"string"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  "io.jwt.verify_es512":
    '{"args":[{"name":"jwt","type":"string"},{"name":"certificate","type":"string"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  "io.jwt.verify_hs256":
    '{"args":[{"name":"jwt","type":"string"},{"name":"secret","type":"string"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  "io.jwt.verify_hs384":
    '{"args":[{"name":"jwt","type":"string"},{"name":"secret","type":"string"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  "io.jwt.verify_hs512":
    '{"args":[{"name":"jwt","type":"string"},{"name":"secret","type":"string"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  "io.jwt.verify_ps256":
    '{"args":[{"name":"jwt","type":"string"},{"name":"certificate","type":"string"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  "io.jwt.verify_ps384":
    '{"args":[{"name":"jwt","type":"string"},{"name":"certificate","type":"string"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  "io.jwt.verify_ps512":
    '{"args":[{"name":"jwt","type":"string"},{"name":"certificate","type":"string"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  "io.jwt.verify_rs256":
    '{"args":[{"name":"jwt","type":"string"},{"name":"certificate","type":"string"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  "io.jwt.verify_rs384":
    '{"args":[{"name":"jwt","type":"string"},{"name":"certificate","type":"string"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  "io.jwt.verify_rs512":
    '{"args":[{"name":"jwt","type":"string"},{"name":"certificate","type":"string"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  is_array: '{"args":[{"name":"x","type":"any"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  is_boolean: '{"args":[{"name":"x","type":"any"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  is_null: '{"args":[{"name":"x","type":"any"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  is_number: '{"args":[{"name":"x","type":"any"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  is_object: '{"args":[{"name":"x","type":"any"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  is_set: '{"args":[{"name":"x","type":"any"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  is_string: '{"args":[{"name":"x","type":"any"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  "json.filter":
    '{"args":[{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"name":"object","type":"object"},{"name":"paths","of":[{"dynamic":{"of":[{"type":"string"},{"dynamic":{"type":"any"},"type":"array"}],"type":"any"},"type":"array"},{"of":{"of":[{"type":"string"},{"dynamic":{"type":"any"},"type":"array"}],"type":"any"},"type":"set"}],"type":"any"}],"result":{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"name":"filtered","type":"object"},"type":"function"}',
  "json.is_valid":
    '{"args":[{"name":"x","type":"string"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  "json.marshal": '{"args":[{"name":"x","type":"any"}],"result":{"name":"y","type":"string"},"type":"function"}',
  "json.marshal_with_options":
    '{"args":[{"name":"x","type":"any"},{"dynamic":{"key":{"type":"string"},"value":{"type":"any"}},"name":"opts","static":[{"key":"indent","value":{"type":"string"}},{"key":"prefix","value":{"type":"string"}},{"key":"pretty","value":{"type":"boolean"}}],"type":"object"}],"result":{"name":"y","type":"string"},"type":"function"}',
  "json.match_schema":
    '{"args":[{"name":"document","of":[{"type":"string"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"}],"type":"any"},{"name":"schema","of":[{"type":"string"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"}],"type":"any"}],"result":{"name":"output","static":[{"type":"boolean"},{"dynamic":{"static":[{"key":"desc","value":{"type":"string"}},{"key":"error","value":{"type":"string"}},{"key":"field","value":{"type":"string"}},{"key":"type","value":{"type":"string"}}],"type":"object"},"type":"array"}],"type":"array"},"type":"function"}',
  "json.patch":
    '{"args":[{"name":"target","type":"any"},{"dynamic":{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"static":[{"key":"op","value":{"type":"string"}},{"key":"path","value":{"type":"any"}}],"type":"object"},"name":"patches","type":"array"}],"result":{"name":"output","type":"any"},"type":"function"}',
  "json.remove":
    '{"args":[{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"name":"object","type":"object"},{"name":"paths","of":[{"dynamic":{"of":[{"type":"string"},{"dynamic":{"type":"any"},"type":"array"}],"type":"any"},"type":"array"},{"of":{"of":[{"type":"string"},{"dynamic":{"type":"any"},"type":"array"}],"type":"any"},"type":"set"}],"type":"any"}],"result":{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"name":"output","type":"object"},"type":"function"}',
  "json.unmarshal": '{"args":[{"name":"x","type":"string"}],"result":{"name":"y","type":"any"},"type":"function"}',
  "json.verify_schema":
    '{"args":[{"name":"schema","of":[{"type":"string"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"}],"type":"any"}],"result":{"name":"output","static":[{"type":"boolean"},{"of":[{"type":"null"},{"type":"string"}],"type":"any"}],"type":"array"},"type":"function"}',
  lower: '{"args":[{"name":"x","type":"string"}],"result":{"name":"y","type":"string"},"type":"function"}',
  lt: '{"args":[{"name":"x","type":"any"},{"name":"y","type":"any"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  lte: '{"args":[{"name":"x","type":"any"},{"name":"y","type":"any"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  max: '{"args":[{"name":"collection","of":[{"dynamic":{"type":"any"},"type":"array"},{"of":{"type":"any"},"type":"set"}],"type":"any"}],"result":{"name":"n","type":"any"},"type":"function"}',
  min: '{"args":[{"name":"collection","of":[{"dynamic":{"type":"any"},"type":"array"},{"of":{"type":"any"},"type":"set"}],"type":"any"}],"result":{"name":"n","type":"any"},"type":"function"}',
  minus:
    '{"args":[{"name":"x","of":[{"type":"number"},{"of":{"type":"any"},"type":"set"}],"type":"any"},{"name":"y","of":[{"type":"number"},{"of":{"type":"any"},"type":"set"}],"type":"any"}],"result":{"name":"z","of":[{"type":"number"},{"of":{"type":"any"},"type":"set"}],"type":"any"},"type":"function"}',
  mul: '{"args":[{"name":"x","type":"number"},{"name":"y","type":"number"}],"result":{"name":"z","type":"number"},"type":"function"}',
  neq: '{"args":[{"name":"x","type":"any"},{"name":"y","type":"any"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  "net.cidr_contains":
    '{"args":[{"name":"cidr","type":"string"},{"name":"cidr_or_ip","type":"string"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  "net.cidr_contains_matches":
    '{"args":[{"name":"cidrs","of":[{"type":"string"},{"dynamic":{"of":[{"type":"string"},{"dynamic":{"type":"any"},"type":"array"}],"type":"any"},"type":"array"},{"dynamic":{"key":{"type":"string"},"value":{"of":[{"type":"string"},{"dynamic":{"type":"any"},"type":"array"}],"type":"any"}},"type":"object"},{"of":{"of":[{"type":"string"},{"dynamic":{"type":"any"},"type":"array"}],"type":"any"},"type":"set"}],"type":"any"},{"name":"cidrs_or_ips","of":[{"type":"string"},{"dynamic":{"of":[{"type":"string"},{"dynamic":{"type":"any"},"type":"array"}],"type":"any"},"type":"array"},{"dynamic":{"key":{"type":"string"},"value":{"of":[{"type":"string"},{"dynamic":{"type":"any"},"type":"array"}],"type":"any"}},"type":"object"},{"of":{"of":[{"type":"string"},{"dynamic":{"type":"any"},"type":"array"}],"type":"any"},"type":"set"}],"type":"any"}],"result":{"name":"output","of":{"static":[{"type":"any"},{"type":"any"}],"type":"array"},"type":"set"},"type":"function"}',
  "net.cidr_expand":
    '{"args":[{"name":"cidr","type":"string"}],"result":{"name":"hosts","of":{"type":"string"},"type":"set"},"type":"function"}',
  "net.cidr_intersects":
    '{"args":[{"name":"cidr1","type":"string"},{"name":"cidr2","type":"string"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  "net.cidr_is_valid":
    '{"args":[{"name":"cidr","type":"string"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  "net.cidr_merge":
    '{"args":[{"name":"addrs","of":[{"dynamic":{"of":[{"type":"string"}],"type":"any"},"type":"array"},{"of":{"type":"string"},"type":"set"}],"type":"any"}],"result":{"name":"output","of":{"type":"string"},"type":"set"},"type":"function"}',
  "net.cidr_overlap": '{"args":[{"type":"string"},{"type":"string"}],"result":{"type":"boolean"},"type":"function"}',
  "net.lookup_ip_addr":
    '{"args":[{"name":"name","type":"string"}],"result":{"name":"addrs","of":{"type":"string"},"type":"set"},"type":"function"}',
  "numbers.range":
    '{"args":[{"name":"a","type":"number"},{"name":"b","type":"number"}],"result":{"dynamic":{"type":"number"},"name":"range","type":"array"},"type":"function"}',
  "numbers.range_step":
    '{"args":[{"name":"a","type":"number"},{"name":"b","type":"number"},{"name":"step","type":"number"}],"result":{"dynamic":{"type":"number"},"name":"range","type":"array"},"type":"function"}',
  "object.filter":
    '{"args":[{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"name":"object","type":"object"},{"name":"keys","of":[{"dynamic":{"type":"any"},"type":"array"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"},{"of":{"type":"any"},"type":"set"}],"type":"any"}],"result":{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"name":"filtered","type":"object"},"type":"function"}',
  "object.get":
    '{"args":[{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"name":"object","type":"object"},{"name":"key","type":"any"},{"name":"default","type":"any"}],"result":{"name":"value","type":"any"},"type":"function"}',
  "object.keys":
    '{"args":[{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"name":"object","type":"object"}],"result":{"name":"value","of":{"type":"any"},"type":"set"},"type":"function"}',
  "object.remove":
    '{"args":[{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"name":"object","type":"object"},{"name":"keys","of":[{"dynamic":{"type":"any"},"type":"array"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"},{"of":{"type":"any"},"type":"set"}],"type":"any"}],"result":{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"name":"output","type":"object"},"type":"function"}',
  "object.subset":
    '{"args":[{"name":"super","of":[{"dynamic":{"type":"any"},"type":"array"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"},{"of":{"type":"any"},"type":"set"}],"type":"any"},{"name":"sub","of":[{"dynamic":{"type":"any"},"type":"array"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"},{"of":{"type":"any"},"type":"set"}],"type":"any"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  "object.union":
    '{"args":[{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"name":"a","type":"object"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"name":"b","type":"object"}],"result":{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"name":"output","type":"object"},"type":"function"}',
  "object.union_n":
    '{"args":[{"dynamic":{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"},"name":"objects","type":"array"}],"result":{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"name":"output","type":"object"},"type":"function"}',
  "opa.runtime":
    '{"result":{"dynamic":{"key":{"type":"string"},"value":{"type":"any"}},"name":"output","type":"object"},"type":"function"}',
  or: '{"args":[{"name":"x","of":{"type":"any"},"type":"set"},{"name":"y","of":{"type":"any"},"type":"set"}],"result":{"name":"z","of":{"type":"any"},"type":"set"},"type":"function"}',
  plus: '{"args":[{"name":"x","type":"number"},{"name":"y","type":"number"}],"result":{"name":"z","type":"number"},"type":"function"}',
  print: '{"type":"function","variadic":{"type":"any"}}',
  product:
    '{"args":[{"name":"collection","of":[{"dynamic":{"type":"number"},"type":"array"},{"of":{"type":"number"},"type":"set"}],"type":"any"}],"result":{"name":"n","type":"number"},"type":"function"}',
  "providers.aws.sign_req":
    '{"args":[{"dynamic":{"key":{"type":"string"},"value":{"type":"any"}},"name":"request","type":"object"},{"dynamic":{"key":{"type":"string"},"value":{"type":"any"}},"name":"aws_config","type":"object"},{"name":"time_ns","type":"number"}],"result":{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"name":"signed_request","type":"object"},"type":"function"}',
  "rand.intn":
    '{"args":[{"name":"str","type":"string"},{"name":"n","type":"number"}],"result":{"name":"y","type":"number"},"type":"function"}',
  re_match: '{"args":[{"type":"string"},{"type":"string"}],"result":{"type":"boolean"},"type":"function"}',
  "regex.find_all_string_submatch_n":
    '{"args":[{"name":"pattern","type":"string"},{"name":"value","type":"string"},{"name":"number","type":"number"}],"result":{"dynamic":{"dynamic":{"type":"string"},"type":"array"},"name":"output","type":"array"},"type":"function"}',
  "regex.find_n":
    '{"args":[{"name":"pattern","type":"string"},{"name":"value","type":"string"},{"name":"number","type":"number"}],"result":{"dynamic":{"type":"string"},"name":"output","type":"array"},"type":"function"}',
  "regex.globs_match":
    '{"args":[{"name":"glob1","type":"string"},{"name":"glob2","type":"string"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  "regex.is_valid":
    '{"args":[{"name":"pattern","type":"string"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  "regex.match":
    '{"args":[{"name":"pattern","type":"string"},{"name":"value","type":"string"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  "regex.replace":
    '{"args":[{"name":"s","type":"string"},{"name":"pattern","type":"string"},{"name":"value","type":"string"}],"result":{"name":"output","type":"string"},"type":"function"}',
  "regex.split":
    '{"args":[{"name":"pattern","type":"string"},{"name":"value","type":"string"}],"result":{"dynamic":{"type":"string"},"name":"output","type":"array"},"type":"function"}',
  "regex.template_match":
    '{"args":[{"name":"template","type":"string"},{"name":"value","type":"string"},{"name":"delimiter_start","type":"string"},{"name":"delimiter_end","type":"string"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  "rego.metadata.chain": '{"result":{"dynamic":{"type":"any"},"name":"chain","type":"array"},"type":"function"}',
  "rego.metadata.rule": '{"result":{"name":"output","type":"any"},"type":"function"}',
  "rego.parse_module":
    '{"args":[{"name":"filename","type":"string"},{"name":"rego","type":"string"}],"result":{"dynamic":{"key":{"type":"string"},"value":{"type":"any"}},"name":"output","type":"object"},"type":"function"}',
  rem: '{"args":[{"name":"x","type":"number"},{"name":"y","type":"number"}],"result":{"name":"z","type":"number"},"type":"function"}',
  replace:
    '{"args":[{"name":"x","type":"string"},{"name":"old","type":"string"},{"name":"new","type":"string"}],"result":{"name":"y","type":"string"},"type":"function"}',
  round: '{"args":[{"name":"x","type":"number"}],"result":{"name":"y","type":"number"},"type":"function"}',
  "semver.compare":
    '{"args":[{"name":"a","type":"string"},{"name":"b","type":"string"}],"result":{"name":"result","type":"number"},"type":"function"}',
  "semver.is_valid":
    '{"args":[{"name":"vsn","type":"any"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  set_diff:
    '{"args":[{"of":{"type":"any"},"type":"set"},{"of":{"type":"any"},"type":"set"}],"result":{"of":{"type":"any"},"type":"set"},"type":"function"}',
  sort: '{"args":[{"name":"collection","of":[{"dynamic":{"type":"any"},"type":"array"},{"of":{"type":"any"},"type":"set"}],"type":"any"}],"result":{"dynamic":{"type":"any"},"name":"n","type":"array"},"type":"function"}',
  split:
    '{"args":[{"name":"x","type":"string"},{"name":"delimiter","type":"string"}],"result":{"dynamic":{"type":"string"},"name":"ys","type":"array"},"type":"function"}',
  sprintf:
    '{"args":[{"name":"format","type":"string"},{"dynamic":{"type":"any"},"name":"values","type":"array"}],"result":{"name":"output","type":"string"},"type":"function"}',
  startswith:
    '{"args":[{"name":"search","type":"string"},{"name":"base","type":"string"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  "strings.any_prefix_match":
    '{"args":[{"name":"search","of":[{"type":"string"},{"dynamic":{"type":"string"},"type":"array"},{"of":{"type":"string"},"type":"set"}],"type":"any"},{"name":"base","of":[{"type":"string"},{"dynamic":{"type":"string"},"type":"array"},{"of":{"type":"string"},"type":"set"}],"type":"any"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  "strings.any_suffix_match":
    '{"args":[{"name":"search","of":[{"type":"string"},{"dynamic":{"type":"string"},"type":"array"},{"of":{"type":"string"},"type":"set"}],"type":"any"},{"name":"base","of":[{"type":"string"},{"dynamic":{"type":"string"},"type":"array"},{"of":{"type":"string"},"type":"set"}],"type":"any"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  "strings.count":
    '{"args":[{"name":"search","type":"string"},{"name":"substring","type":"string"}],"result":{"name":"output","type":"number"},"type":"function"}',
  "strings.render_template":
    '{"args":[{"name":"value","type":"string"},{"dynamic":{"key":{"type":"string"},"value":{"type":"any"}},"name":"vars","type":"object"}],"result":{"name":"result","type":"string"},"type":"function"}',
  "strings.replace_n":
    '{"args":[{"dynamic":{"key":{"type":"string"},"value":{"type":"string"}},"name":"patterns","type":"object"},{"name":"value","type":"string"}],"result":{"name":"output","type":"string"},"type":"function"}',
  "strings.reverse": '{"args":[{"name":"x","type":"string"}],"result":{"name":"y","type":"string"},"type":"function"}',
  "strings.split_n":
    '{"args":[{"name":"x","type":"string"},{"name":"delimiter","type":"string"},{"name":"n","type":"number"}],"result":{"dynamic":{"type":"string"},"name":"ys","type":"array"},"type":"function"}',
  substring:
    '{"args":[{"name":"value","type":"string"},{"name":"offset","type":"number"},{"name":"length","type":"number"}],"result":{"name":"output","type":"string"},"type":"function"}',
  sum: '{"args":[{"name":"collection","of":[{"dynamic":{"type":"number"},"type":"array"},{"of":{"type":"number"},"type":"set"}],"type":"any"}],"result":{"name":"n","type":"number"},"type":"function"}',
  "time.add_date":
    '{"args":[{"name":"ns","type":"number"},{"name":"years","type":"number"},{"name":"months","type":"number"},{"name":"days","type":"number"}],"result":{"name":"output","type":"number"},"type":"function"}',
  "time.clock":
    '{"args":[{"name":"x","of":[{"type":"number"},{"static":[{"type":"number"},{"type":"string"}],"type":"array"}],"type":"any"}],"result":{"name":"output","static":[{"type":"number"},{"type":"number"},{"type":"number"}],"type":"array"},"type":"function"}',
  "time.date":
    '{"args":[{"name":"x","of":[{"type":"number"},{"static":[{"type":"number"},{"type":"string"}],"type":"array"}],"type":"any"}],"result":{"name":"date","static":[{"type":"number"},{"type":"number"},{"type":"number"}],"type":"array"},"type":"function"}',
  "time.diff":
    '{"args":[{"name":"ns1","of":[{"type":"number"},{"static":[{"type":"number"},{"type":"string"}],"type":"array"}],"type":"any"},{"name":"ns2","of":[{"type":"number"},{"static":[{"type":"number"},{"type":"string"}],"type":"array"}],"type":"any"}],"result":{"name":"output","static":[{"type":"number"},{"type":"number"},{"type":"number"},{"type":"number"},{"type":"number"},{"type":"number"}],"type":"array"},"type":"function"}',
  "time.format":
    '{"args":[{"name":"x","of":[{"type":"number"},{"static":[{"type":"number"},{"type":"string"}],"type":"array"},{"static":[{"type":"number"},{"type":"string"},{"type":"string"}],"type":"array"}],"type":"any"}],"result":{"name":"formatted timestamp","type":"string"},"type":"function"}',
  "time.now_ns": '{"result":{"name":"now","type":"number"},"type":"function"}',
  "time.parse_duration_ns":
    '{"args":[{"name":"duration","type":"string"}],"result":{"name":"ns","type":"number"},"type":"function"}',
  "time.parse_ns":
    '{"args":[{"name":"layout","type":"string"},{"name":"value","type":"string"}],"result":{"name":"ns","type":"number"},"type":"function"}',
  "time.parse_rfc3339_ns":
    '{"args":[{"name":"value","type":"string"}],"result":{"name":"ns","type":"number"},"type":"function"}',
  "time.weekday":
    '{"args":[{"name":"x","of":[{"type":"number"},{"static":[{"type":"number"},{"type":"string"}],"type":"array"}],"type":"any"}],"result":{"name":"day","type":"string"},"type":"function"}',
  to_number:
    '{"args":[{"name":"value","of":[{"type":"null"},{"type":"boolean"},{"type":"number"},{"type":"string"}],"type":"any"}],"result":{"name":"num","type":"number"},"type":"function"}',
  trace: '{"args":[{"name":"note","type":"string"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  trim: '{"args":[{"name":"value","type":"string"},{"name":"cutset","type":"string"}],"result":{"name":"output","type":"string"},"type":"function"}',
  trim_left:
    '{"args":[{"name":"value","type":"string"},{"name":"cutset","type":"string"}],"result":{"name":"output","type":"string"},"type":"function"}',
  trim_prefix:
    '{"args":[{"name":"value","type":"string"},{"name":"prefix","type":"string"}],"result":{"name":"output","type":"string"},"type":"function"}',
  trim_right:
    '{"args":[{"name":"value","type":"string"},{"name":"cutset","type":"string"}],"result":{"name":"output","type":"string"},"type":"function"}',
  trim_space:
    '{"args":[{"name":"value","type":"string"}],"result":{"name":"output","type":"string"},"type":"function"}',
  trim_suffix:
    '{"args":[{"name":"value","type":"string"},{"name":"suffix","type":"string"}],"result":{"name":"output","type":"string"},"type":"function"}',
  type_name: '{"args":[{"name":"x","type":"any"}],"result":{"name":"type","type":"string"},"type":"function"}',
  union:
    '{"args":[{"name":"xs","of":{"of":{"type":"any"},"type":"set"},"type":"set"}],"result":{"name":"y","of":{"type":"any"},"type":"set"},"type":"function"}',
  "units.parse": '{"args":[{"name":"x","type":"string"}],"result":{"name":"y","type":"number"},"type":"function"}',
  "units.parse_bytes":
    '{"args":[{"name":"x","type":"string"}],"result":{"name":"y","type":"number"},"type":"function"}',
  upper: '{"args":[{"name":"x","type":"string"}],"result":{"name":"y","type":"string"},"type":"function"}',
  "uri.is_valid":
    '{"args":[{"name":"uri","type":"string"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  "uri.parse":
    '{"args":[{"name":"uri","type":"string"}],"result":{"dynamic":{"key":{"type":"string"},"value":{"type":"string"}},"name":"output","type":"object"},"type":"function"}',
  "urlquery.decode": '{"args":[{"name":"x","type":"string"}],"result":{"name":"y","type":"string"},"type":"function"}',
  "urlquery.decode_object":
    '{"args":[{"name":"x","type":"string"}],"result":{"dynamic":{"key":{"type":"string"},"value":{"dynamic":{"type":"string"},"type":"array"}},"name":"object","type":"object"},"type":"function"}',
  "urlquery.encode": '{"args":[{"name":"x","type":"string"}],"result":{"name":"y","type":"string"},"type":"function"}',
  "urlquery.encode_object":
    '{"args":[{"dynamic":{"key":{"type":"string"},"value":{"of":[{"type":"string"},{"dynamic":{"type":"string"},"type":"array"},{"of":{"type":"string"},"type":"set"}],"type":"any"}},"name":"object","type":"object"}],"result":{"name":"y","type":"string"},"type":"function"}',
  "uuid.parse":
    '{"args":[{"name":"uuid","type":"string"}],"result":{"dynamic":{"key":{"type":"string"},"value":{"type":"any"}},"name":"result","type":"object"},"type":"function"}',
  "uuid.rfc4122":
    '{"args":[{"name":"k","type":"string"}],"result":{"name":"output","type":"string"},"type":"function"}',
  walk: '{"args":[{"name":"x","type":"any"}],"result":{"name":"output","static":[{"dynamic":{"type":"any"},"type":"array"},{"type":"any"}],"type":"array"},"type":"function"}',
  "yaml.is_valid":
    '{"args":[{"name":"x","type":"string"}],"result":{"name":"result","type":"boolean"},"type":"function"}',
  "yaml.marshal": '{"args":[{"name":"x","type":"any"}],"result":{"name":"y","type":"string"},"type":"function"}',
  "yaml.unmarshal": '{"args":[{"name":"x","type":"string"}],"result":{"name":"y","type":"any"},"type":"function"}',
};

/** Builtins written as infix operators. */
export const INFIX: Readonly<Record<string, string>> = {
  and: "&",
  assign: ":=",
  div: "/",
  eq: "=",
  equal: "==",
  gt: ">",
  gte: ">=",
  "internal.member_2": "in",
  "internal.member_3": "in",
  lt: "<",
  lte: "<=",
  minus: "-",
  mul: "*",
  neq: "!=",
  or: "|",
  plus: "+",
  rem: "%",
};
