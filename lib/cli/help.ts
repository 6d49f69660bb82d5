import { RUN_FLAGS } from "./run_flags.ts";

/** Help for `iotload` with no command or `--help`. */
export function formatMainHelp(version: string): string {
  return `iotload ${version}: an MQTT load generator that behaves like a fleet of IoT sensors

Usage:
  iotload run [flags]      connect N sensors, publish telemetry, report
  iotload validate FILE    check a scenario file (YAML or JSON), run nothing
  iotload report SUMMARY.json [--html FILE]
                           reprint a saved summary, or write its HTML report
  iotload compare BASE.json NEW.json
                           compare two saved runs (--noise, --json, --fail-on)
  iotload merge SHARD.json... | --from URL --run ID --shards N
                           merge the shards of one run into one exact summary
  iotload kube --shards N --image IMAGE [run flags]
                           print the Kubernetes manifests of a sharded run
  iotload certs --ca-dir DIR --sensors N --out DIR
                           make a test CA and a client certificate per sensor
  iotload help             show this help
  iotload version          print the version, runtime and target

Run \`iotload run --help\` for every flag. Exit codes: 0 ok, 1 threshold failed,
2 usage error, 3 broker unreachable or refusing, 70 internal failure (a bug),
130 interrupted.
`;
}

/** Help for `iotload run`: every flag with its default. */
export function formatRunHelp(): string {
  const rows = RUN_FLAGS.map((flag) => {
    const names = `${flag.short === undefined ? "    " : `-${flag.short}, `}--${flag.name}${
      flag.value === undefined ? "" : ` ${flag.value}`
    }`;
    const help = flag.defaultText === undefined
      ? flag.help
      : `${flag.help} (default: ${flag.defaultText})`;
    return { names, help };
  });
  const width = Math.max(...rows.map((row) => row.names.length)) + 2;
  const indent = " ".repeat(2 + width);
  const lines = rows.map((row) =>
    wrapWords(row.help, HELP_COLUMNS - indent.length)
      .map((line, n) => n === 0 ? `  ${row.names.padEnd(width)}${line}` : `${indent}${line}`)
      .join("\n")
  );
  return `Usage: iotload run [flags]

Connects one MQTT connection per sensor, publishes a JSON reading from each
sensor every interval (open model: sends happen at their scheduled time),
measures connect, ack, end-to-end latency and loss, and prints a summary.

Flags:
${lines.join("\n")}

Examples:
  iotload run              10,000 sensors, every 5s, 60s, on the embedded broker
  iotload run --url mqtt://127.0.0.1:1883 -c 2000 -i 1s -d 30s -q 1
  iotload run --url mqtt://broker:1883 --threshold 'e2e.p99<250ms' \\
    --threshold lost==0 --json
`;
}

/** Help lines are at most this wide, in columns. */
export const HELP_COLUMNS = 80;

/** `text` in lines of at most `width` columns, broken between words (a longer word stands alone). */
function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines;
}

/**
 * README's flag table in Markdown: every flag of `iotload run` with its variable,
 * where a scenario file gives it, its default and its help, from the same table as
 * `--help` (`.ci/generate.ts` writes it into README.md; a test keeps them equal).
 */
export function formatFlagTableMarkdown(): string {
  const cell = (text: string) => text.replaceAll("|", "\\|");
  const code = (text: string) => text === "" ? "" : `\`${cell(text)}\``;
  // Markdown would read "IOTLOAD_* variables" as the start of emphasis.
  const plain = (text: string) => cell(text).replaceAll("*", "\\*");
  const rows = RUN_FLAGS.map((flag) => {
    const names = `${flag.short === undefined ? "" : `-${flag.short}, `}--${flag.name}${
      flag.value === undefined ? "" : ` ${flag.value}`
    }`;
    return [
      code(names),
      code(flag.env ?? ""),
      code(flag.filePath ?? ""),
      plain(flag.defaultText ?? ""),
      plain(flag.help),
    ];
  });
  return [
    ["flag", "variable", "scenario file", "default", "meaning"],
    ["---", "---", "---", "---", "---"],
    ...rows,
  ].map((row) => `| ${row.join(" | ")} |`).join("\n") + "\n";
}
