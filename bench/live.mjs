// Live-mode benchmarks need the project's test API server; they are added with live mode.
export async function liveBenchmarks() {
  throw new Error('the test API server is not available yet');
}
