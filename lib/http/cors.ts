/** CORS of the registry API: IDEs and web galleries read it from any origin (GitHub Copilot requires this). */
export const REGISTRY_CORS_HEADERS: Record<string, string> = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "GET, OPTIONS",
  "Access-Control-Allow-Headers": "Authorization, Content-Type",
};
