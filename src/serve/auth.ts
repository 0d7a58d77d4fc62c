/**
 * The optional bearer token. Machines and auth proxies send `Authorization: Bearer <token>`; people
 * sign in once through /login, which sets an HttpOnly cookie holding an HMAC of the token (never the
 * token itself). Comparisons take constant time.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

export const SESSION_COOKIE = "tollgate_dashboard";

export class TokenCheck {
  readonly #session: Buffer;
  readonly #token: Buffer;

  constructor(token: string) {
    this.#token = digestOf(token);
    this.#session = Buffer.from(createHmac("sha256", token).update("tollgate dashboard session v1").digest("hex"));
  }

  /** Whether the request carries the token or a session cookie made from it. */
  allows(req: IncomingMessage): boolean {
    const header = req.headers.authorization;
    const bearer = header?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
    if (bearer !== undefined) return this.matches(bearer);
    const cookie = cookies(req.headers.cookie).get(SESSION_COOKIE);
    return cookie !== undefined && equal(Buffer.from(cookie), this.#session);
  }

  matches(token: string): boolean {
    return timingSafeEqual(digestOf(token), this.#token);
  }

  /** The Set-Cookie value after a successful sign-in. */
  sessionCookie(secure: boolean): string {
    return `${SESSION_COOKIE}=${this.#session.toString()}; Path=/; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
  }
}

function digestOf(text: string): Buffer {
  return createHmac("sha256", "tollgate dashboard token").update(text).digest();
}

function equal(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0) out.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return out;
}
