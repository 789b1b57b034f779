// `--repair-live`: an agent's first attempt goes into the batch; its later attempts (repair, retry, escalation,
// judge) run live on the HTTP port at once instead of waiting for a follow-up batch, at most `maxConcurrent` of a
// model at a time (the scheduler puts no cap on a batch run).
import type { SessionPort } from "../engine/port.js";
import { parseAttemptKey } from "../engine/scheduler.js";
import { createModelGate } from "../host/model-gate.js";

export function routeFollowUpsLive(options: {
  batch: SessionPort;
  live: SessionPort;
  maxConcurrent: number;
}): SessionPort {
  const gate = createModelGate({ perModel: options.maxConcurrent });
  return {
    name: options.batch.name,
    queues: true,
    async run(request) {
      const attempt = parseAttemptKey(request.attemptKey)?.attempt ?? 1;
      if (attempt <= 1) return options.batch.run(request);
      const release = await gate.acquire(request.model ?? "", request.signal);
      try {
        request.onStarted?.(); // the attempt's time limit counts from here, as for any live request
        return await options.live.run(request);
      } finally {
        release();
      }
    },
  };
}
