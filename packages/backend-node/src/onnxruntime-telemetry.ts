/**
 * Turns off onnxruntime's telemetry for this process; call it before the first `InferenceSession.create`.
 *
 * Why: on Linux, onnxruntime-node 1.30 starts a telemetry client while it creates its environment (on the first
 * session). That client reads `/proc/self/cmdline` and matches it with a `std::regex` (`(.*)[ ]*.*[\n]*`);
 * libstdc++'s regex engine recurses once per character, using about 290 bytes of stack per byte of command
 * line, on the calling thread, which is Node's main thread with its 8 MiB stack. A command line of about
 * 28.9 KB (some 420 DeepPCB paths) overflows it: a segmentation fault before anything is printed. Setting
 * `ORT_DISABLE_TELEMETRY=1` skips that client entirely (and keeps DefectKit local-first: no usage data leaves the
 * machine), so the length of the command line no longer matters. The variable is read when the first session is
 * created, so setting it here, just before, is enough; a value the user set that does not disable telemetry is
 * overridden, because it would bring the crash back.
 */
export function disableOnnxRuntimeTelemetry(): void {
  process.env.ORT_DISABLE_TELEMETRY = '1';
}
