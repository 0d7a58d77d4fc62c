# Helpers every guardrail shares: in which situation a decision is taken, which metric verdicts
# count, and how values are written in messages. Nothing here is a threshold: every limit the
# guardrails use comes from input.environment.
package tollgate.lib

import rego.v1

# A live decision about a canary that is taking traffic now.
progressing if {
	input.mode == "live"
	input.status.phase == "progressing"
}

# A live decision about whether a rollout of the release may start now.
starting if {
	input.mode == "live"
	input.status.phase != "progressing"
}

# The digest of the release being judged.
digest := input.release.artifact.digest

# What the analysis reported on the metrics the environment configures and has enabled.
reported[name] := verdict if {
	some name, settings in input.environment.analysis.metrics
	settings.enabled
	verdict := input.analysis.metrics[name]
}

# The verdicts that compare canary with baseline. At full weight there is no baseline: those
# metrics are reported (their freshness still counts) but not judged.
judged[name] := verdict if {
	some name, verdict in reported
	not verdict.reason == "no-baseline"
}

# "sha256:1a2b3c4d5e6f": enough of a digest to recognise it in a message.
short(d) := substring(d, 0, 19)

# A number >= 0 with n decimals (n = 0 to 3): fixed(2.5, 2) -> "2.50", fixed(3, 1) -> "3.0".
# sprintf's %.2f is not used for this because it refuses integers ("%!f(int=3)"), and a JSON number
# such as 250 or the product 0.2 * 100 is one.
fixed(x, 0) := sprintf("%d", [round(x)])

fixed(x, n) := sprintf("%d.%s", [whole, decimals]) if {
	n > 0
	scale := {1: 10, 2: 100, 3: 1000}[n]
	scaled := round(x * scale)
	part := scaled % scale
	whole := (scaled - part) / scale
	decimals := substring(sprintf("%d", [part + scale]), 1, n)
}

# A fraction as a percentage: 0.2 -> "20%", 0.055 -> "5.5%".
percent(x) := concat("", [trim_suffix(fixed(x * 100, 1), ".0"), "%"])

# US dollars: 0.031 -> "$0.031" (costs per task), 263.4 -> "$263.40".
usd(x) := concat("", ["$", fixed(x, 3)]) if x < 1

usd(x) := concat("", ["$", fixed(x, 2)]) if x >= 1

# Whole seconds, compactly: 3900 -> "1h5m", 600 -> "10m", 45 -> "45s", 0 -> "0s".
duration(s) := "0s" if s == 0

duration(s) := text if {
	s > 0
	hours := (s - (s % 3600)) / 3600
	minutes := ((s % 3600) - (s % 60)) / 60
	parts := [[hours, "h"], [minutes, "m"], [s % 60, "s"]]
	text := concat("", [sprintf("%d%s", part) | some part in parts; part[0] > 0])
}

# "1 approval", "2 approvals".
count_of(n, noun) := sprintf("%d %s", [n, noun]) if n == 1

count_of(n, noun) := sprintf("%d %ss", [n, noun]) if n != 1

# A list for a sentence: ["a", "b"] -> "a, b"; [] -> "none".
listing(items) := concat(", ", items) if count(items) > 0

listing(items) := "none" if count(items) == 0
