/**
 * The file telemetry source: replays a recorded scenario file (NDJSON, see scenario-file.ts) as if
 * it were live. Record t is seconds since stage start, so the request's stageStart is not used.
 */
import type { Logger } from "pino";
import type { IntervalRecord } from "./records.ts";
import { openScenarioFile } from "./scenario-file.ts";
import {
  intervalEnds,
  ProblemLog,
  type TelemetryRequest,
  type TelemetrySource,
  type TelemetryWindow,
  windowFromRecords,
} from "./source.ts";

export class FileSource implements TelemetrySource {
  readonly kind = "file" as const;
  private readonly problemLog?: ProblemLog;

  private constructor(
    readonly file: string,
    readonly interval: number,
    private readonly records: ReadonlyMap<number, readonly IntervalRecord[]>,
    logger?: Logger,
  ) {
    if (logger) this.problemLog = new ProblemLog(logger, { source: "file", file });
  }

  /** Reads and validates the whole file (InvalidInputError naming file and line when it is bad). */
  static async open(file: string, logger?: Logger): Promise<FileSource> {
    const stream = await openScenarioFile(file);
    const byT = new Map<number, IntervalRecord[]>();
    for await (const record of stream.records) {
      const list = byT.get(record.t) ?? [];
      byT.set(record.t, list);
      list.push(record);
    }
    return new FileSource(file, stream.header.interval, byT, logger);
  }

  async fetch(request: TelemetryRequest): Promise<TelemetryWindow> {
    const ends = intervalEnds(request.from, request.to, this.interval);
    const window = windowFromRecords(this.records, ends, this.interval, {
      record: `no record for this arm and interval in ${this.file}`,
      field: `the record in ${this.file} has no value for this signal`,
    });
    this.problemLog?.report(window.problems, request);
    return window;
  }
}
