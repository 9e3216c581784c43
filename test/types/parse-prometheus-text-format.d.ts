// The package ships no types; only what the tests use.
declare module 'parse-prometheus-text-format' {
  interface ParsedFamily {
    name: string;
    help: string;
    type: string;
    metrics: Array<{ value?: string; labels?: Record<string, string> }>;
  }
  export default function parsePrometheusTextFormat(text: string): ParsedFamily[];
}
