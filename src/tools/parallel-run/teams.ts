// The team presets of the system we replace, as lists of planned agents (the meta preset chains creator -> reviewer).
import { UserInputError } from "../../errors.js";
import type { PlannedAgent } from "../../runs/planned-agent.js";
import type { TeamSpecT } from "./params.js";

export const TEAM_TYPES = {
  content: [
    "content_writer_creative",
    "content_writer_funny",
    "content_writer_educational",
    "content_writer_trendy",
    "content_writer_controversial",
  ],
  dev: ["frontend_developer", "backend_developer", "database_architect", "api_designer", "devops_engineer"],
  review: ["code_reviewer", "security_reviewer", "performance_reviewer", "accessibility_reviewer", "test_engineer"],
} as const;

function need<T>(value: T | undefined, field: string, preset: string, fix: string): T {
  if (value === undefined || value === null || (typeof value === "string" && value.trim() === "")) {
    throw new UserInputError({ field: `team.${field}`, value, message: `the ${preset} preset needs ${field}`, fix });
  }
  return value;
}

export function planTeam(team: TeamSpecT): PlannedAgent[] {
  const extra = team.task?.trim() ? `\n\n${team.task.trim()}` : "";
  switch (team.preset) {
    case "content": {
      const topic = need(
        team.topic,
        "topic",
        "content",
        'pass team.topic, e.g. { preset: "content", topic: "morning coffee", platform: "instagram" }',
      );
      const platform = team.platform ?? "instagram";
      return TEAM_TYPES.content.map((type) => ({
        type,
        field: "team",
        label: type.replace("content_writer_", ""),
        input: { topic, platform },
        task: `Write one ${platform} post about the topic.${extra}`,
      }));
    }
    case "dev": {
      const appName = need(
        team.appName,
        "appName",
        "dev",
        'pass team.appName and team.features, e.g. { preset: "dev", appName: "Todo", features: ["login"] }',
      );
      const features = need(
        team.features,
        "features",
        "dev",
        'pass team.features as a list of strings, e.g. ["login", "export to CSV"]',
      );
      return TEAM_TYPES.dev.map((type) => ({
        type,
        field: "team",
        label: type,
        input: { appName, features },
        task: `Do your part of building ${appName}.${extra}`,
      }));
    }
    case "review": {
      const code = need(
        team.code,
        "code",
        "review",
        'pass team.code with the code to review, e.g. { preset: "review", code: "function f() {}" }',
      );
      const input = team.language ? { code, language: team.language } : { code };
      return TEAM_TYPES.review.map((type) => ({
        type,
        field: "team",
        label: type,
        input,
        task: `Review the code from your specialty.${extra}`,
      }));
    }
    case "meta": {
      const agents = need(
        team.agents,
        "agents",
        "meta",
        'pass team.agents, e.g. [{ name: "recipe_scaler", purpose: "scale recipes" }]',
      );
      return agents.flatMap((request, i): PlannedAgent[] => {
        const input = Object.fromEntries(Object.entries(request).filter(([, v]) => v !== undefined));
        const creatorIndex = i * 2;
        return [
          {
            type: "agent_creator",
            field: `team.agents[${i}]`,
            label: `create ${request.name}`,
            input,
            task: `Design the agent "${request.name}".${extra}`,
          },
          {
            type: "agent_design_reviewer",
            field: `team.agents[${i}]`,
            label: `review ${request.name}`,
            task: `Review the design of "${request.name}" against its purpose.${extra}`,
            dependsOn: [creatorIndex],
            inputFrom: (deps) => ({ design: deps[0]!.output as Record<string, unknown>, purpose: request.purpose }),
          },
        ];
      });
    }
  }
}
