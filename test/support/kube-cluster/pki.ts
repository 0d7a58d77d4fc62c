/**
 * The certificates and keys of a test cluster, made with Debian's openssl: a CA, the API server's
 * serving certificate for loopback, and the key pair that signs ServiceAccount tokens.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface ClusterPki {
  caFile: string;
  caPem: string;
  certFile: string;
  keyFile: string;
  serviceAccountKeyFile: string;
  serviceAccountPublicKeyFile: string;
}

export function makePki(dir: string): ClusterPki {
  const openssl = (...args: string[]): void => {
    execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  };
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl("req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=tollgate-test-ca");
  openssl("req", ...ec, "-keyout", "apiserver.key", "-out", "apiserver.csr", "-subj", "/CN=kube-apiserver");
  writeFileSync(
    join(dir, "apiserver.ext"),
    "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default.svc,IP:10.96.0.1\n" +
      "extendedKeyUsage=serverAuth\n",
  );
  openssl(
    "x509",
    "-req",
    "-in",
    "apiserver.csr",
    "-CA",
    "ca.crt",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "apiserver.crt",
    "-days",
    "2",
    "-extfile",
    "apiserver.ext",
  );
  openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "service-account.key");
  openssl("ec", "-in", "service-account.key", "-pubout", "-out", "service-account.pub");
  return {
    caFile: join(dir, "ca.crt"),
    caPem: readFileSync(join(dir, "ca.crt"), "utf8"),
    certFile: join(dir, "apiserver.crt"),
    keyFile: join(dir, "apiserver.key"),
    serviceAccountKeyFile: join(dir, "service-account.key"),
    serviceAccountPublicKeyFile: join(dir, "service-account.pub"),
  };
}
