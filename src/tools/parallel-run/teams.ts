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
    case "blog":
      return planBlog(team, extra);
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

/** Angles for `count` posts on one topic when the call names none: distinct enough that the posts do not overlap. */
export const BLOG_ANGLES = [
  "a practical beginner's guide",
  "the most common mistakes and how to avoid them",
  "a worked example or case study",
  "what is changing now and what comes next",
  "a contrarian take on the usual advice",
  "a step-by-step how-to for a specific goal",
  "the questions people ask most, answered",
  "tools, resources and how to choose between them",
  "the costs and trade-offs nobody mentions",
  "lessons from experts and practitioners",
] as const;

function planBlog(team: TeamSpecT, extra: string): PlannedAgent[] {
  const common = {
    ...(team.words ? { words: team.words } : {}),
    ...(team.audience ? { audience: team.audience } : {}),
  };
  const writer = (label: string, input: Record<string, unknown>, task: string): PlannedAgent => ({
    type: "blog_post_writer",
    field: "team",
    label,
    input: { ...input, ...common },
    task: `${task}${extra}`,
  });
  if (team.topics) {
    if (team.angles || team.count)
      throw new UserInputError({
        field: team.angles ? "team.angles" : "team.count",
        value: team.angles ?? team.count,
        message: "the blog preset takes topics (one post each), or one topic with angles or count, not both",
        fix: "remove topics, or remove angles and count",
      });
    return team.topics.map((topic, i) => writer(`post ${i + 1}`, { topic }, "Write one blog post about the topic."));
  }
  const topic = need(
    team.topic,
    "topic",
    "blog",
    'pass team.topics (one post each), or team.topic with angles or count, e.g. { preset: "blog", topic: "home espresso", count: 5 }',
  );
  if (team.angles && team.count !== undefined && team.count !== team.angles.length)
    throw new UserInputError({
      field: "team.count",
      value: team.count,
      message: `count is ${team.count} but ${team.angles.length} angles are given`,
      fix: "remove count (one post per angle), or give as many angles as count",
    });
  const count = team.angles?.length ?? team.count ?? 5;
  if (!team.angles && count > BLOG_ANGLES.length)
    throw new UserInputError({
      field: "team.count",
      value: count,
      message: `${count} posts on one topic need angles: only ${BLOG_ANGLES.length} are built in`,
      fix: `pass team.angles with ${count} distinct angles, or a count of at most ${BLOG_ANGLES.length}`,
    });
  const angles = team.angles ?? BLOG_ANGLES.slice(0, count);
  return angles.map((angle, i) =>
    writer(
      `post ${i + 1}`,
      { topic, angle },
      `Write blog post ${i + 1} of ${count} about the topic, from the angle given; the other posts cover other angles, so stay on yours.`,
    ),
  );
}
