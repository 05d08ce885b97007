// AudioWorklet side of the microphone capture (see voice-capture.js): runs on
// the audio rendering thread and hands the main thread copies of the first
// input channel, batched so a 48 kHz stream is ~45 messages a second rather
// than one per 128-sample render quantum.

class MockloopCapture extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const batch = options && options.processorOptions && options.processorOptions.batch;
    this.buffer = new Float32Array(batch > 0 ? batch : 1024);
    this.filled = 0;
  }

  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (channel) {
      let offset = 0;
      while (offset < channel.length) {
        const take = Math.min(channel.length - offset, this.buffer.length - this.filled);
        this.buffer.set(channel.subarray(offset, offset + take), this.filled);
        this.filled += take;
        offset += take;
        if (this.filled === this.buffer.length) {
          // The size is read before the transfer: a transferred buffer is
          // detached and reports length 0, which made every later batch
          // empty and this loop post them forever.
          const size = this.buffer.length;
          this.port.postMessage(this.buffer, [this.buffer.buffer]);
          this.buffer = new Float32Array(size);
          this.filled = 0;
        }
      }
    }
    // Keep running while the input is silent or briefly absent.
    return true;
  }
}

registerProcessor("mockloop-capture", MockloopCapture);
