// Valid answers for built-in agent types, for scripted model replies (each one satisfies the type's output schema).
import { REVIEW_DIMENSIONS } from "../src/tools/refine-agent/review-score.js";

export const SAMPLE_OUTPUTS: Record<string, unknown> = {
  general: "## Answer\n\n- The task, done in Markdown.\n- Assumptions: none.",
  researcher: {
    question: "Which bars in Savannah have live jazz?",
    summary: "Two venues list weekly live jazz on their own sites.",
    findings: [
      {
        claim: "Venue A has live jazz on Thursdays.",
        evidence: "Its events page lists a Thursday jazz night.",
        sources: ["https://example.com/venue-a/events"],
        confidence: "high",
      },
    ],
    unverified: ["Opening hours on public holidays: no source found."],
    sources: [{ ref: "https://example.com/venue-a/events", title: "Venue A events" }],
  },
  blog_post_writer: {
    title: "Home Espresso Without the Fuss",
    outline: ["Why home espresso", "The three things that matter"],
    body: "## Why home espresso\n\nGood coffee at home is cheaper than you think.\n\n## The three things that matter\n\nFresh beans, a good grinder and patience.",
    meta_description: "A short, practical guide to making good espresso at home.",
    word_count: 23,
  },
  content_writer_creative: {
    caption: "Steam curls off the first cup while the city still whispers.",
    hashtags: ["#coffee", "#morning"],
    engagement_prediction: "Medium",
    tone_notes: "Warm and quiet.",
  },
  content_writer_funny: {
    caption: "My coffee and I have an agreement: I don't talk to it before it's ready, it doesn't talk to me at all.",
    hashtags: ["#coffee", "#mondays"],
    engagement_prediction: "High",
    punchline: "it doesn't talk to me at all",
  },
  content_writer_educational: {
    caption: "Why does coffee wake you up? Caffeine blocks adenosine, the molecule that tells your brain it's tired.",
    hashtags: ["#science", "#coffee"],
    key_points: ["Caffeine blocks adenosine receptors", "Effects peak after 30-60 minutes"],
    difficulty: "Beginner-friendly",
  },
  content_writer_trendy: {
    caption: "POV: the barista remembers your order.",
    hashtags: ["#pov", "#coffeetok"],
    trend_reference: "POV-format posts (check timeliness)",
    viral_potential: "Medium",
  },
  content_writer_controversial: {
    caption: "Hot take: instant coffee is fine. Fight me in the comments.",
    hashtags: ["#coffee", "#debate"],
    controversy_level: 4,
    discussion_prompts: ["Is convenience worth the taste trade-off?"],
  },
  code_reviewer: {
    score: 7,
    issues_found: [{ description: "No input validation", severity: "medium" }],
    suggestions: ["Validate inputs"],
    security_notes: "None found.",
    performance_notes: "Fine.",
  },
  security_reviewer: { vulnerabilities: [], warnings: ["Fragment only"], score: "B", recommendations: ["Add tests"] },
  performance_reviewer: {
    complexity_score: 2,
    bottlenecks: [],
    optimization_suggestions: [],
    memory_usage: "Constant",
    time_complexity: "O(n)",
  },
  accessibility_reviewer: {
    wcag_level: "A",
    issues: [],
    aria_usage: "None needed",
    keyboard_nav: "Not applicable",
    screen_reader: "Not applicable",
  },
  test_engineer: {
    test_files: [{ path: "add.test.ts", content: "test('adds', () => {})" }],
    coverage_percentage: 80,
    test_cases: 3,
    edge_cases: ["negative numbers"],
    test_framework: "vitest",
  },
  frontend_developer: {
    files: [{ path: "src/App.tsx", content: "export function App() { return null; }" }],
    framework: "React + TypeScript",
    components: ["App"],
    state_management: "local state",
    styling: "CSS modules",
  },
  backend_developer: {
    files: [{ path: "src/server.ts", content: "// server" }],
    framework: "Node.js + Fastify",
    endpoints: [{ path: "/todos", method: "GET", description: "List todos" }],
    auth: "Bearer tokens",
    models: ["Todo"],
  },
  database_architect: {
    tables: [{ name: "todos", columns: ["id uuid primary key", "title text not null"] }],
    indexes: [],
    relations: [],
    migrations: ["CREATE TABLE todos (id uuid primary key, title text not null);"],
    optimization_notes: "Small table.",
  },
  api_designer: {
    spec_version: "OpenAPI 3.1",
    endpoints: { openapi: "3.1.0", paths: {} },
    auth_scheme: "OAuth 2.0 bearer",
    rate_limiting: "100 requests/minute per client",
    documentation: "Resource-oriented API.",
  },
  devops_engineer: {
    files: [{ path: "Dockerfile", content: "FROM node:24-slim" }],
    pipeline_stages: ["install", "test", "build", "deploy"],
    deployment_target: "container platform",
    infra_as_code: [],
    monitoring: "Health check on /healthz",
  },
  documentation_writer: {
    files: [{ path: "README.md", content: "# Todo" }],
    sections: ["Quick start"],
    code_examples: 1,
    quick_start: "npm install && npm start",
  },
  agent_creator: {
    agent_name: "recipe_scaler",
    version: "1.0.0",
    domain: "cooking",
    system_prompt:
      "You are a careful cook who scales recipes to a new number of servings, converting units and flagging steps that do not scale.",
    input_schema: { type: "object", properties: { recipe: { type: "string" } } },
    output_schema: { type: "object", required: ["ingredients"], properties: { ingredients: { type: "array" } } },
    capabilities: ["scale quantities"],
    example_interactions: [{ input: { recipe: "2 eggs" }, output: { ingredients: [] } }],
    estimated_complexity: "low",
    use_cases: ["dinner parties"],
    limitations: ["no nutrition data"],
    edge_case_handling: "Assume 4 servings when missing.",
    safety_guidelines: "No unsafe food advice.",
    confidence: 0.8,
  },
};

export function designReview(score: number, overrides: Record<string, number> = {}) {
  const dims = REVIEW_DIMENSIONS;
  return {
    overall_score: score,
    overall_grade: score >= 9 ? "A" : score >= 8 ? "B" : score >= 7 ? "C" : score >= 6 ? "D" : "F",
    is_production_ready: score >= 8.5,
    dimension_scores: Object.fromEntries(
      dims.map((d) => [d, { score: overrides[d] ?? score, max: 10, feedback: `${d} is ${overrides[d] ?? score}/10` }]),
    ),
    strengths: ["clear role"],
    areas_for_improvement:
      score < 9 ? [{ issue: "edge cases thin", severity: "medium", suggestion: "add more edge cases" }] : [],
    missing_elements: [],
    recommendations: ["add examples"],
    revised_system_prompt: null,
    confidence: 0.8,
  };
}

/** Which agent type a request is for: the type whose system prompt's first line appears in the request's system prompt (OpenClaw prepends its own). */
export function identifyType(
  system: string,
  types: ReadonlyMap<string, { def: { system: string } }>,
): string | undefined {
  for (const [id, type] of types) {
    const first = type.def.system.trim().split("\n")[0]!;
    if (system.includes(first)) return id;
  }
  return undefined;
}

/** Captions about a topic for the content writers: the demo's offline answers, labelled as scripted. */
const TOPICAL_CAPTIONS: Record<string, (about: string) => string> = {
  content_writer_funny: (about) => `[scripted] ${about}: I tried to be a morning person once. Once.`,
  content_writer_educational: (about) => `[scripted] Three things worth knowing about ${about}.`,
  content_writer_trendy: (about) => `[scripted] POV: you finally get ${about} right.`,
  content_writer_controversial: (about) => `[scripted] Unpopular opinion: ${about} is overrated. Change my mind.`,
  content_writer_creative: (about) => `[scripted] ${about}, told as a small story in three lines.`,
};

/** A content writer's sample output rewritten about `about` (the other fields as in SAMPLE_OUTPUTS). */
export function sampleOutputAbout(type: string, about: string): unknown {
  const caption = TOPICAL_CAPTIONS[type];
  const sample = SAMPLE_OUTPUTS[type];
  if (!caption || !sample) return sample;
  const tag = `#${about.toLowerCase().replace(/[^a-z0-9]+/g, "")}`.slice(0, 30);
  return { ...(sample as object), caption: caption(about), hashtags: [tag, "#scripteddemo"] };
}
