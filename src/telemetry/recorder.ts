/**
 * Records what a live source observed into a scenario file, so a decision's evidence can be stored,
 * replayed with the file source and audited with the same code. Records are written in time order,
 * each arm's record of an interval once; the file appears only when the recording is closed.
 */
import type { IntervalRecord, ScenarioHeader } from "./records.ts";
import { ScenarioFileWriter, writeScenarioFile } from "./scenario-file.ts";
import type { TelemetryRequest, TelemetrySource, TelemetryWindow } from "./source.ts";

/** Writes one fetched window as a whole scenario file. */
export function recordWindow(file: string, header: ScenarioHeader, window: TelemetryWindow): Promise<void> {
  return writeScenarioFile(file, header, window.records);
}

/**
 * A source that passes every fetch through to a live source and appends the records it has not
 * written yet. Windows may overlap; a record older than one already written (time order) is skipped.
 */
export class RecordingSource implements TelemetrySource {
  readonly kind: TelemetrySource["kind"];
  readonly interval: number;
  private lastT = Number.NEGATIVE_INFINITY;
  private readonly armsAtLastT = new Set<string>();
  private written = 0;

  private constructor(
    private readonly inner: TelemetrySource,
    private readonly writer: ScenarioFileWriter,
  ) {
    this.kind = inner.kind;
    this.interval = inner.interval;
  }

  static async create(
    inner: TelemetrySource,
    file: string,
    header: Omit<ScenarioHeader, "interval">,
  ): Promise<RecordingSource> {
    const writer = await ScenarioFileWriter.create(file, { ...header, interval: inner.interval });
    return new RecordingSource(inner, writer);
  }

  get recordsWritten(): number {
    return this.written;
  }

  async fetch(request: TelemetryRequest, options?: { signal?: AbortSignal }): Promise<TelemetryWindow> {
    const window = await this.inner.fetch(request, options);
    for (const record of window.records) {
      if (this.isNew(record)) {
        await this.writer.write(record);
        this.written++;
      }
    }
    return window;
  }

  /** Finishes the file (renamed into place). */
  close(): Promise<void> {
    return this.writer.close();
  }

  /** Drops the unfinished file. */
  abort(): Promise<void> {
    return this.writer.abort();
  }

  private isNew(record: IntervalRecord): boolean {
    if (record.t > this.lastT) {
      this.lastT = record.t;
      this.armsAtLastT.clear();
    } else if (record.t < this.lastT || this.armsAtLastT.has(record.arm)) {
      return false;
    }
    this.armsAtLastT.add(record.arm);
    return true;
  }
}
