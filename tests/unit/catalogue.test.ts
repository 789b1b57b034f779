import { REVIEW_DIMENSIONS } from "../../src/tools/refine-agent/review-score.js";
import { describe, expect, it } from "vitest";
import { loadBuiltins } from "../helpers/registry.js";

/** The json types with the output fields each must require: the 25 of the system we replace, the synthesizer of orchestrate, and the researcher and blog writer. */
const REQUIRED_OUTPUT_FIELDS: Record<string, string[]> = {
  content_writer_creative: ["caption", "hashtags", "engagement_prediction", "tone_notes"],
  content_writer_funny: ["caption", "hashtags", "engagement_prediction", "punchline"],
  content_writer_educational: ["caption", "hashtags", "key_points", "difficulty"],
  content_writer_trendy: ["caption", "hashtags", "trend_reference", "viral_potential"],
  content_writer_controversial: ["caption", "hashtags", "controversy_level", "discussion_prompts"],
  frontend_developer: ["files", "framework", "components", "state_management", "styling"],
  backend_developer: ["files", "framework", "endpoints", "auth", "models"],
  database_architect: ["tables", "indexes", "relations", "migrations", "optimization_notes"],
  api_designer: ["spec_version", "endpoints", "auth_scheme", "rate_limiting", "documentation"],
  devops_engineer: ["files", "pipeline_stages", "deployment_target", "infra_as_code", "monitoring"],
  code_reviewer: ["score", "issues_found", "suggestions", "security_notes", "performance_notes"],
  security_reviewer: ["vulnerabilities", "warnings", "score", "recommendations"],
  performance_reviewer: [
    "complexity_score",
    "bottlenecks",
    "optimization_suggestions",
    "memory_usage",
    "time_complexity",
  ],
  accessibility_reviewer: ["wcag_level", "issues", "aria_usage", "keyboard_nav", "screen_reader"],
  test_engineer: ["test_files", "coverage_percentage", "test_cases", "edge_cases", "test_framework"],
  documentation_writer: ["files", "sections", "code_examples", "quick_start"],
  agent_creator: [
    "agent_name",
    "version",
    "domain",
    "system_prompt",
    "input_schema",
    "output_schema",
    "capabilities",
    "example_interactions",
    "estimated_complexity",
    "use_cases",
    "limitations",
    "edge_case_handling",
    "safety_guidelines",
    "confidence",
  ],
  agent_design_reviewer: [
    "overall_score",
    "overall_grade",
    "is_production_ready",
    "dimension_scores",
    "strengths",
    "areas_for_improvement",
    "missing_elements",
    "recommendations",
    "revised_system_prompt",
    "confidence",
  ],
  agent_refiner: ["revised_design", "changes"],
  agent_orchestrator: ["tasks", "rationale"],
  synthesizer: ["synthesis", "failed_lanes", "confidence"],
  output_judge: ["scores", "feedback"],
  travel_event_planner: ["summary", "itinerary", "bookings", "budget", "packing_list", "risks"],
  donut_care_coordinator: ["feeding_summary", "reminders", "sitter_handover", "vet_flags"],
  pup_community_engager: ["posts", "replies", "meetup_ideas", "moderation_flags"],
  print_project_manager: ["queue", "blocked_jobs", "filament_status", "shopping_list"],
  training_assistant: ["objectives", "agenda", "preparation", "onboarding_steps", "checklists", "follow_up"],
  researcher: ["question", "summary", "findings", "unverified", "sources"],
  blog_post_writer: ["title", "outline", "body", "meta_description", "word_count"],
};

/** Types that answer in prose rather than JSON. */
const PROSE_TYPES = ["general"];

describe("the built-in catalogue", () => {
  it("loads all 30 built-in types with no diagnostics", async () => {
    const snapshot = await loadBuiltins();
    expect(snapshot.diagnostics).toEqual([]);
    expect([...snapshot.types.keys()].sort()).toEqual([...Object.keys(REQUIRED_OUTPUT_FIELDS), ...PROSE_TYPES].sort());
    expect(snapshot.types.size).toBe(30);
  });

  it.each(Object.entries(REQUIRED_OUTPUT_FIELDS))(
    "%s requires exactly its contracted output fields",
    async (id, fields) => {
      const type = (await loadBuiltins()).types.get(id)!;
      expect(type.def.outputFormat).toBe("json");
      expect([...(type.def.output?.required ?? [])].sort()).toEqual([...fields].sort());
    },
  );

  it("files each type under prompts/<category>/<id>.yaml", async () => {
    const snapshot = await loadBuiltins();
    for (const type of snapshot.types.values()) {
      expect(type.source.file.endsWith(`prompts/${type.def.category}/${type.def.id}.yaml`)).toBe(true);
    }
  });

  it("gives every system prompt a method, a quality bar, edge cases and what to refuse", async () => {
    const snapshot = await loadBuiltins();
    for (const type of snapshot.types.values()) {
      const system = type.def.system;
      expect.soft(system, type.def.id).toMatch(/Method/);
      expect.soft(system, type.def.id).toMatch(/^Quality bar:/m);
      // the convention: an "Edge cases:" paragraph and a paragraph that starts with "Refuse" and says what to return
      expect.soft(system, type.def.id).toMatch(/^Edge cases: /m);
      expect.soft(system, type.def.id).toMatch(/^Refuse /m);
      expect.soft(system.length, type.def.id).toBeGreaterThan(600);
    }
  });

  it("gives every reviewer a rubric whose weights are positive", async () => {
    const snapshot = await loadBuiltins();
    const reviewers = [...snapshot.types.values()].filter((t) => /reviewer|test_engineer/.test(t.def.id));
    expect(reviewers.length).toBe(6);
    for (const t of reviewers) expect(t.def.rubric?.length, t.def.id).toBeGreaterThan(0);
  });

  it("keeps the design reviewer's six dimensions required", async () => {
    const type = (await loadBuiltins()).types.get("agent_design_reviewer")!;
    const properties = type.def.output!.properties as Record<string, { required: string[] }>;
    const dims = properties.dimension_scores!.required;
    expect(dims).toEqual([...REVIEW_DIMENSIONS]); // the reviewer's schema names exactly the dimensions the score weighs
  });
});
