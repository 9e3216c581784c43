import v8 from 'node:v8';

// A context with more objects than this is a large cluster: 20,000 objects are about 7,000 pods.
const LARGE_CLUSTER_OBJECTS = 20_000;
// Collect once the heap has grown by half over what the last collection kept.
const GROWING_PERCENT = 50;

let tightened = false;

/**
 * Reading a large cluster leaves the text and parsed copy of every page behind as garbage, while what is
 * kept only grows; V8's default lets the heap reach up to four times the live objects before a full
 * collection, which for 50,000 pods is well over a gigabyte. Once a live scan has read a large cluster's
 * worth of objects, V8 is asked to collect when the heap has grown by half instead: a few more
 * collections for a process a third smaller. Small scans, where collections would cost time and the heap
 * is small anyway, are left alone. The setting is V8's `--heap-growing-percent`, read at every collection.
 */
export function collectSoonerWhenLarge(objectsRead: number): void {
  if (tightened || objectsRead < LARGE_CLUSTER_OBJECTS) return;
  tightened = true;
  v8.setFlagsFromString(`--heap-growing-percent=${GROWING_PERCENT}`);
}
