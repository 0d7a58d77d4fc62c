/** Every host builtin implementation by Rego name, gathered from the family modules. */
import { CRYPTO } from "./families/crypto.ts";
import { ENCODING } from "./families/encoding.ts";
import { GLOB } from "./families/glob.ts";
import { GLOBS } from "./families/globs.ts";
import { GRAPHQL } from "./families/graphql.ts";
import { IDS } from "./families/ids.ts";
import { JWT } from "./families/jwt.ts";
import { LEGACY } from "./families/legacy.ts";
import { META } from "./families/meta.ts";
import { NET } from "./families/net.ts";
import { OBJECTS } from "./families/objects.ts";
import { PROVIDERS } from "./families/providers.ts";
import { REGEX } from "./families/regex.ts";
import { REGO } from "./families/rego.ts";
import { SCHEMA } from "./families/schema.ts";
import { SEMVER_BUILTINS } from "./families/semver.ts";
import { STRINGS } from "./families/strings.ts";
import { TIME } from "./families/time.ts";
import { UNITS } from "./families/units.ts";
import { URI } from "./families/uri.ts";
import { X509 } from "./families/x509.ts";
import type { BuiltinImpl } from "./host.ts";

export const FAMILIES: Readonly<Record<string, BuiltinImpl>> = {
  ...CRYPTO,
  ...ENCODING,
  ...GLOB,
  ...GLOBS,
  ...GRAPHQL,
  ...IDS,
  ...JWT,
  ...LEGACY,
  ...META,
  ...NET,
  ...OBJECTS,
  ...PROVIDERS,
  ...REGEX,
  ...REGO,
  ...SCHEMA,
  ...SEMVER_BUILTINS,
  ...STRINGS,
  ...TIME,
  ...UNITS,
  ...URI,
  ...X509,
};
