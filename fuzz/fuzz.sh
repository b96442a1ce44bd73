#!/usr/bin/env bash
# Long mode of the fuzz tests: fuzzes each @FuzzTest (or those whose name contains $1) for FUZZ_SECONDS (default 60)
# with coverage feedback (Maven profile `fuzz`), one JVM per target as Jazzer requires. A crash fails that target and
# is written to its committed-inputs directory (src/test/resources/<package>/<Class>Inputs/<method>/): commit it with
# the fix. Prints, per target, libFuzzer's executions, coverage (edges) and corpus size; logs in target/fuzz/.
# Offline: MAVEN_ARGS=-o fuzz/fuzz.sh
set -uo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_TARGET=${FUZZ_SECONDS:-60}
FILTER=${1:-}
# module  test class#method
TARGETS=(
  "ingress-service io.switchboard.ingress.messaging.MessagingWebhookFuzzTest#orchestratorJson"
  "ingress-service io.switchboard.ingress.messaging.MessagingWebhookFuzzTest#conversationsV1Form"
  "ingress-service io.switchboard.ingress.intelligence.IntelligenceWebhookFuzzTest#intelligenceJson"
  "ingress-service io.switchboard.ingress.http.SignatureCheckFuzzTest#signedOverTheUrlTwilioCalledAndNothingElse"
  "ingress-service io.switchboard.ingress.voice.RelayProtocolFuzzTest#anyTextFrame"
  "ingress-service io.switchboard.ingress.voice.RelayProtocolFuzzTest#anyVoiceFrameEncodesToWhatItSays"
  "ingress-service io.switchboard.ingress.voice.TwimlOptionsFuzzTest#optionsBecomeTheTwimlTheySay"
  "testkit io.switchboard.testkit.SerdeFuzzTest#embeddedFramingDecodesAnyBytes"
  "testkit io.switchboard.testkit.SerdeFuzzTest#registryFramingDecodesAnyBytes"
  "memory-service io.switchboard.memory.service.MemoryQueryFuzzTest#anyRetrieveBody"
  "launcher io.switchboard.launcher.tools.ToolArgumentsFuzzTest#anyTimeOrSelection"
  "reliability io.switchboard.reliability.WebhookFuzzTest#anySignedJsonBody"
  "reliability io.switchboard.reliability.WebhookFuzzTest#anySignedForm"
  "reliability io.switchboard.reliability.WebhookFuzzTest#anySignedIntelligenceBody"
  "reliability io.switchboard.reliability.RelaySocketFuzzTest#anyMessagesAfterSetup"
)

mkdir -p target/fuzz
failed=0
printf '%-90s %10s %8s %8s %s\n' target executions edges corpus result
for entry in "${TARGETS[@]}"; do
  read -r module test <<<"$entry"
  [[ -n "$FILTER" && "$test" != *"$FILTER"* ]] && continue
  log="target/fuzz/${test##*.}.log"
  if mvn -B -Pfuzz -pl "$module" -am test -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false \
      -Dfuzz.seconds="$SECONDS_PER_TARGET" >"$log" 2>&1; then
    result=ok
  else
    result="FAILED (finding or error: $log)"
    failed=1
  fi
  # libFuzzer's last status line: "#<execs> DONE cov: <edges> ft: <features> corp: <inputs>/<bytes> ..."
  done_line=$(grep -a -E '^#[0-9]+[[:space:]]+(DONE|RELOAD|pulse|NEW|REDUCE|INITED)' "$log" | tail -1)
  execs=$(sed -E 's/^#([0-9]+).*/\1/' <<<"$done_line")
  edges=$(grep -oE 'cov: [0-9]+' <<<"$done_line" | cut -d' ' -f2)
  corpus=$(grep -oE 'corp: [0-9]+' <<<"$done_line" | cut -d' ' -f2)
  printf '%-90s %10s %8s %8s %s\n' "$module $test" "${execs:--}" "${edges:--}" "${corpus:--}" "$result"
done
exit $failed
