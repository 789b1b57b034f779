// The shape of orchestrate's `details`, published in manifests/orchestrate.json.
import { Type } from "@sinclair/typebox";
import { OUTCOMES } from "../../engine/outcome.js";
import { AgentResultSchema, RunLadderSchema, RunNotesSchema, UsageSchema } from "../../runs/agent-details-schema.js";
import { PlanTaskSchema } from "./model-outputs.js";

const PlanProblemSchema = Type.Object({
  taskId: Type.Optional(Type.String({ description: "The task the problem concerns, when it concerns one." })),
  field: Type.String({ description: 'Where in the plan, e.g. "tasks[2].input.topic", "dependsOn", "tasks".' }),
  message: Type.String(),
});

export const OrchestrateResultSchema = Type.Object({
  runId: Type.String(),
  dryRun: Type.Boolean(),
  plan: Type.Object(
    {
      tasks: Type.Array(PlanTaskSchema),
      rationale: Type.Optional(Type.String()),
    },
    { description: "The checked plan; when refused, the planner's last plan (no tasks if it gave none)." },
  ),
  waves: Type.Array(Type.Array(Type.String())),
  tasks: Type.Array(
    Type.Intersect([
      AgentResultSchema,
      Type.Object({ dependsOn: Type.Array(Type.String()), wave: Type.Union([Type.Integer(), Type.Null()]) }),
    ]),
  ),
  counts: Type.Optional(
    Type.Object(Object.fromEntries(OUTCOMES.map((o) => [o, Type.Integer({ minimum: 0 })])), {
      description: "Task outcomes by kind, when tasks ran.",
    }),
  ),
  synthesis: Type.Union([AgentResultSchema, Type.Null()]),
  plannerAttempts: Type.Integer({
    minimum: 0,
    description: "Planner runs in this call (0 on resume: the journaled plan is used).",
  }),
  usage: Type.Optional(UsageSchema),
  ladder: Type.Optional(RunLadderSchema),
  notes: Type.Optional(RunNotesSchema),
  wouldStart: Type.Optional(
    Type.Object({ agents: Type.Integer(), maxAttempts: Type.Integer(), createTypes: Type.Array(Type.String()) }),
  ),
  orchestrate: Type.Optional(
    Type.Object({
      refused: Type.Optional(
        Type.Object(
          { attempts: Type.Integer({ minimum: 0 }), problems: Type.Array(PlanProblemSchema) },
          {
            description:
              "Present when the plan was still invalid after the planner's attempts: every problem of the last plan. No task agent ran.",
          },
        ),
      ),
    }),
  ),
});
