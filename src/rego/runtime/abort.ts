/**
 * The text of an error the opa-wasm SDK throws. The SDK reads an abort message byte by byte as
 * Latin-1, so the runtime writes bytes outside printable ASCII as `\xNN` (error.ts); here runs
 * of such escapes that form UTF-8 characters are decoded back, so `٣٤` reads as written.
 */
export function abortText(error: unknown): string {
  return decodeUtf8Escapes(rawText(error));
}

function rawText(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "object" && error !== null && typeof (error as { message?: unknown }).message === "string") {
    return (error as { message: string }).message;
  }
  return String(error);
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Runs of `\xNN` escapes of bytes >= 0x80 that are valid UTF-8 become their characters. */
export function decodeUtf8Escapes(text: string): string {
  return text.replace(/(?:\\x[89a-f][0-9a-f])+/g, (run) => {
    const bytes = Uint8Array.from(run.slice(2).split("\\x"), (h) => Number.parseInt(h, 16));
    try {
      return utf8.decode(bytes);
    } catch {
      return run;
    }
  });
}
