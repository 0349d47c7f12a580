// chalk's terminal detection, for its default instances: wxplat never uses those (src/output/output.ts
// makes its own, with the level it decides), and the real detection loads node:tty on every start.
export default { stdout: false, stderr: false };
