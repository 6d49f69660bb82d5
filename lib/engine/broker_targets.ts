/**
 * The two ways a run connects to the broker: the sensors' target (shared keepalive
 * beat, shared stores for QoS 0 fleets) and the probe's and commander's (stores of
 * their own, their own credentials and certificate).
 *
 * @module
 */
import type { Duplex } from "node:stream";
import { isPerSensor } from "../config/credential_template.ts";
import type { Scenario } from "../config/scenario.ts";
import type { TlsFiles } from "../config/tls_files.ts";
import { type BrokerTarget, createSharedStores } from "../transport/client_factory.ts";
import { createSharedIntervalTimer } from "../transport/shared_interval_timer.ts";
import { publishesOnlyQos0 } from "./device_hooks.ts";

/** The sensors' target and the probe's and commander's, for a run of `scenario`. */
export function brokerTargets(
  scenario: Scenario,
  url: string,
  tls: TlsFiles,
  openStream?: () => Duplex,
): { sensors: BrokerTarget; own: BrokerTarget } {
  const sensors: BrokerTarget = {
    url,
    protocolVersion: scenario.protocolVersion,
    keepaliveSec: scenario.keepaliveSec,
    username: scenario.username,
    password: scenario.password,
    cleanStart: scenario.cleanStart,
    sessionExpirySec: scenario.sessionExpirySec,
    tls: { ...tls, insecure: scenario.insecure },
    keepaliveTimer: createSharedIntervalTimer(),
    sharedStores: publishesOnlyQos0(scenario) ? createSharedStores() : undefined,
    openStream,
  };
  // Never a per-sensor template of the broker's credentials.
  const shared = (value: string | undefined) =>
    value === undefined || isPerSensor(value) ? undefined : value;
  const own: BrokerTarget = {
    ...sensors,
    sharedStores: undefined,
    username: scenario.probeUsername ?? shared(scenario.username),
    password: scenario.probePassword ?? shared(scenario.password),
    tls: tls.probe === undefined ? sensors.tls : { ...sensors.tls, ...tls.probe },
  };
  return { sensors, own };
}
