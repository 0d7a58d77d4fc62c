/**
 * Scenario files: NDJSON, a header line `{"scenario", "interval", "analysisStart", "horizon"}` and then
 * interval records in time order. Files can be around 1 MB (dense histograms), so they are read and
 * written as streams, one line at a time.
 */
import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { readdir, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { InvalidInputError, UserError } from "../model/index.ts";
import {
  type IntervalRecord,
  parseRecord,
  parseScenarioHeader,
  RecordOrderCheck,
  type ScenarioHeader,
} from "./records.ts";

/** File name endings read as scenario files when a folder is given. */
export const SCENARIO_FILE_EXTENSIONS = [".ndjson", ".jsonl"];

export interface ScenarioStream {
  file: string;
  header: ScenarioHeader;
  /** The records, validated and order-checked as they are read; iterate once. */
  records: AsyncIterable<IntervalRecord>;
}

/**
 * Opens a scenario file and reads its header. Records are read lazily by iterating `records`;
 * each bad line throws InvalidInputError naming the file and line.
 */
export async function openScenarioFile(file: string): Promise<ScenarioStream> {
  const input = createReadStream(file, { encoding: "utf8" });
  const opened = new Promise<void>((resolve, reject) => {
    input.once("open", () => resolve());
    input.once("error", (e) => reject(new UserError(`cannot read ${file}: ${e.message}`)));
  });
  await opened;
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })[Symbol.asyncIterator]();
  let lineNo = 0;
  let header: ScenarioHeader | undefined;
  while (!header) {
    const next = await lines.next();
    if (next.done)
      throw new InvalidInputError([
        { file, line: Math.max(lineNo, 1), message: "empty scenario file: expected a header line" },
      ]);
    lineNo++;
    if (next.value.trim() === "") continue;
    header = parseScenarioHeader(parseJsonLine(next.value, file, lineNo), { file, line: lineNo });
  }
  const firstRecordLine = lineNo;
  async function* records(): AsyncGenerator<IntervalRecord> {
    const order = new RecordOrderCheck();
    let n = firstRecordLine;
    try {
      for (let next = await lines.next(); !next.done; next = await lines.next()) {
        n++;
        if (next.value.trim() === "") continue;
        const where = { file, line: n };
        const record = parseRecord(parseJsonLine(next.value, file, n), where);
        order.check(record, where);
        yield record;
      }
    } finally {
      input.destroy();
    }
  }
  return { file, header, records: records() };
}

/** Parses a whole scenario text at once (small files, tests). */
export function parseScenarioText(text: string, file: string): { header: ScenarioHeader; records: IntervalRecord[] } {
  const lines = text.split(/\r?\n/);
  let header: ScenarioHeader | undefined;
  const records: IntervalRecord[] = [];
  const order = new RecordOrderCheck();
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    const where = { file, line: i + 1 };
    const value = parseJsonLine(line, file, i + 1);
    if (!header) {
      header = parseScenarioHeader(value, where);
      return;
    }
    const record = parseRecord(value, where);
    order.check(record, where);
    records.push(record);
  });
  if (!header) throw new InvalidInputError([{ file, line: 1, message: "empty scenario file: expected a header line" }]);
  return { header, records };
}

/** One NDJSON line for a record, keys in the documented order (so files are byte-for-byte reproducible). */
export function formatRecord(r: IntervalRecord): string {
  let s = `{"t":${r.t},"arm":"${r.arm}"`;
  if (r.requests !== undefined) s += `,"requests":${r.requests}`;
  if (r.errors !== undefined) s += `,"errors":${r.errors}`;
  if (r.tasks !== undefined) s += `,"tasks":${r.tasks}`;
  if (r.interventions !== undefined) s += `,"interventions":${r.interventions}`;
  if (r.latencyMs) s += `,"latencyMs":${formatHistogram(r.latencyMs)}`;
  if (r.costUsd) s += `,"costUsd":${formatHistogram(r.costUsd)}`;
  return `${s}}`;
}

export function formatScenarioHeader(h: ScenarioHeader): string {
  return JSON.stringify({
    scenario: h.scenario,
    interval: h.interval,
    analysisStart: h.analysisStart,
    horizon: h.horizon,
  });
}

/**
 * Writes a scenario file as a stream. The file appears under its name only when `close()` succeeds
 * (it is written to a temporary name and renamed), so a crash never leaves a half-written scenario.
 */
export class ScenarioFileWriter {
  private constructor(
    readonly file: string,
    private readonly temp: string,
    private readonly out: WriteStream,
  ) {}

  static async create(file: string, header: ScenarioHeader): Promise<ScenarioFileWriter> {
    const temp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
    const out = createWriteStream(temp, { encoding: "utf8" });
    await new Promise<void>((resolve, reject) => {
      out.once("open", () => resolve());
      out.once("error", (e) => reject(new UserError(`cannot write ${file}: ${e.message}`)));
    });
    const writer = new ScenarioFileWriter(file, temp, out);
    await writer.line(formatScenarioHeader(header));
    return writer;
  }

  write(record: IntervalRecord): Promise<void> {
    return this.line(formatRecord(record));
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.out.end((e?: Error | null) => (e ? reject(e) : resolve())));
    await rename(this.temp, this.file);
  }

  /** Drops the temporary file. */
  async abort(): Promise<void> {
    this.out.destroy();
    await rm(this.temp, { force: true });
  }

  private line(text: string): Promise<void> {
    if (this.out.write(`${text}\n`)) return Promise.resolve();
    return new Promise((resolve) => this.out.once("drain", () => resolve()));
  }
}

/** Writes a whole scenario (records from any iterable) atomically. */
export async function writeScenarioFile(
  file: string,
  header: ScenarioHeader,
  records: Iterable<IntervalRecord> | AsyncIterable<IntervalRecord>,
): Promise<void> {
  const writer = await ScenarioFileWriter.create(file, header);
  try {
    for await (const r of records) await writer.write(r);
    await writer.close();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

/**
 * Expands the given paths into scenario files: files as given, folders walked recursively for
 * `.ndjson`/`.jsonl` files, each folder's entries in name order.
 */
export async function listScenarioFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new UserError(`${path}: no such file or folder`);
    if (info.isDirectory()) await walk(path, files);
    else files.push(path);
  }
  return files;
}

async function walk(dir: string, into: string[]): Promise<void> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  for (const entry of entries) {
    if (entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await walk(path, into);
    else if (SCENARIO_FILE_EXTENSIONS.some((ext) => entry.name.endsWith(ext))) into.push(path);
  }
}

function formatHistogram(h: { buckets: Array<[number | null, number]>; sum: number }): string {
  let s = '{"buckets":[';
  for (let i = 0; i < h.buckets.length; i++) {
    const [bound, count] = h.buckets[i]!;
    s += `${i ? "," : ""}[${bound === null ? "null" : bound},${count}]`;
  }
  return `${s}],"sum":${h.sum}}`;
}

function parseJsonLine(text: string, file: string, line: number): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new InvalidInputError([{ file, line, message: `not valid JSON: ${why}` }]);
  }
}
