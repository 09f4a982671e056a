// onnxruntime-node baseline for bench/compare_quantize.sh: QuantizeLinear per axis on a
// 4096 x 16384 float32 tensor (model from make_quantize_model.py), intra-op threads from
// argv. Note onnxruntime is given the scales; it does not compute the absmax pass that our
// fused kernel includes. Prints the median rate in elements/s.
import { createRequire } from 'node:module';
import path from 'node:path';

const [modelPath, threadArg, repArg, modulesDir] = process.argv.slice(2);
const require = createRequire(path.join(modulesDir, 'noop.js'));
const ort = require('onnxruntime-node');

const rows = 4096, cols = 16384, threads = Number(threadArg || 1), reps = Number(repArg || 5);
const session = await ort.InferenceSession.create(modelPath, {
  intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential',
});
const x = new Float32Array(rows * cols);
for (let i = 0; i < x.length; ++i) x[i] = Math.sin(i) * 3;
const feeds = { x: new ort.Tensor('float32', x, [rows, cols]) };
await session.run(feeds);  // warm-up
const rates = [];
for (let r = 0; r < reps; ++r) {
  const t0 = process.hrtime.bigint();
  await session.run(feeds);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  rates.push(x.length / seconds);
}
rates.sort((a, b) => a - b);
console.log(`onnxruntime_quantizelinear_per_axis threads=${threads} ` +
            `elem_per_s=${rates[Math.floor(rates.length / 2)].toPrecision(4)}`);
