/**
 * One run as N shard processes against one broker, each from its own source address,
 * started together with `--start-at`, and their summaries merged as `iotload merge`
 * merges them: what the `shards` case compares with one process.
 *
 * @module
 */
import { mergeShardSummaries } from "../../lib/report/merge/merge_summaries.ts";
import { type GeneratorRun, type GeneratorRunOptions, runGenerator } from "./run_generator.ts";

/** Lead time for every shard process to load and check before the common start, in ms. */
const START_LEAD_MS = 8_000;

/**
 * Runs `shards` generators with `options.args` plus `--shard I/N`, one run id, one
 * start and `--bind 127.0.0.(2+I)`; the result holds the merged summary, no samples
 * (the shards' own CPU and memory are in it), and the first failure's code and line.
 */
export async function runShards(
  options: GeneratorRunOptions,
  shards: number,
): Promise<GeneratorRun> {
  const runId = `bench${crypto.randomUUID().slice(0, 8)}`;
  const startAt = new Date(Date.now() + START_LEAD_MS).toISOString();
  const runs = await Promise.all(
    Array.from({ length: shards }, (_, index) =>
      runGenerator({
        ...options,
        killAfterMs: options.killAfterMs + START_LEAD_MS,
        args: [
          ...options.args,
          "--shard",
          `${index}/${shards}`,
          "--run-id",
          runId,
          "--start-at",
          startAt,
          "--bind",
          `127.0.0.${index + 2}`,
        ],
      })),
  );
  const failed = runs.find((run) => run.code !== 0 || run.summary === null || run.killed);
  const base = {
    samples: [],
    spawnedAtMs: Math.min(...runs.map((run) => run.spawnedAtMs)),
    exitedAtMs: Math.max(...runs.map((run) => run.exitedAtMs)),
  };
  if (failed !== undefined) return { ...failed, ...base };
  const { summary } = mergeShardSummaries(
    runs.map((run, index) => ({ source: `shard ${index}`, summary: run.summary! })),
  );
  return { code: 0, killed: false, summary, errorLine: null, ...base };
}
