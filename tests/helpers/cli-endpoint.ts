// The CLI flags every CLI test passes: the scripted endpoint, a model name, the fixtures' agent types, a runs folder.
import path from "node:path";
import { FIXTURES } from "./registry.js";

export const cliEndpointArgs = (url: string, runs: string) => [
  "--base-url",
  url,
  "--model",
  "m1",
  "--dir",
  path.join(FIXTURES, "agents"),
  "--runs-dir",
  runs,
];
