// onnxruntime-node baseline for bench/compare_quantize.sh: QuantizeLinear per axis on a
// 4096 x 16384 float32 tensor (model from make_quantize_model.py), intra-op threads from
// argv. onnxruntime is given the scales; it does not compute the absmax pass that our fused
// kernel includes.
//
// session.run wall time from node includes copying the 256 MiB input in and the 64 MiB
// output out, which is not kernel time. So the rate reported is from onnxruntime's own
// profiler: the median "dur" (microseconds) of the QuantizeLinear node's "kernel_time"
// events. The wall rate is printed beside it for reference only.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [modelPath, threadArg, repArg, modulesDir] = process.argv.slice(2);
const require = createRequire(path.join(path.resolve(modulesDir), 'noop.js'));
const ort = require('onnxruntime-node');

const rows = 4096, cols = 16384, threads = Number(threadArg || 1), reps = Number(repArg || 5);
const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ort_profile_'));
const session = await ort.InferenceSession.create(modelPath, {
  intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential',
  enableProfiling: true, profileFilePrefix: path.join(profileDir, 'quantize'),
});
const x = new Float32Array(rows * cols);
for (let i = 0; i < x.length; ++i) x[i] = Math.sin(i) * 3;
const feeds = { x: new ort.Tensor('float32', x, [rows, cols]) };
await session.run(feeds);  // warm-up (its kernel event is dropped below)
const wall = [];
for (let r = 0; r < reps; ++r) {
  const t0 = process.hrtime.bigint();
  await session.run(feeds);
  wall.push(x.length / (Number(process.hrtime.bigint() - t0) / 1e9));
}
session.endProfiling();
await session.release();

// The profile is a JSON array of Chrome trace events; kernel events have cat "Node" and a
// name ending in "_kernel_time", with args.op_name the operator.
const files = fs.readdirSync(profileDir).filter((f) => f.endsWith('.json'));
if (files.length !== 1) throw new Error(`expected one profile in ${profileDir}, got ${files}`);
const events = JSON.parse(fs.readFileSync(path.join(profileDir, files[0]), 'utf8'));
fs.rmSync(profileDir, { recursive: true, force: true });
const kernel = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time') &&
                                    e.args && e.args.op_name === 'QuantizeLinear');
if (kernel.length !== reps + 1) {
  throw new Error(`expected ${reps + 1} QuantizeLinear kernel events, got ${kernel.length}`);
}
const median = (v) => { const s = [...v].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const kernelRates = kernel.slice(1).map((e) => x.length / (e.dur * 1e-6));
console.log(`onnxruntime_quantizelinear_per_axis threads=${threads} ` +
            `elem_per_s=${median(kernelRates).toPrecision(4)} (kernel_time) ` +
            `session_run_rate=${median(wall).toPrecision(4)} (wall, incl. copies)`);
