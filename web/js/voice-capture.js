// Microphone capture for spoken answers: getUserMedia, then an AudioWorklet
// (a ScriptProcessor where worklets are missing), downsampled to 16 kHz mono
// PCM16 and cut into binary WebSocket frames in the server's audio framing
// (README, "Audio frames"). No UI here: callers wire start/stop and the level.

/** Sample rate the server expects. */
export const TARGET_RATE = 16000;
/** Header bytes before the samples: kind, 3 reserved, u32 sequence (LE). */
export const HEADER_BYTES = 8;
/** Kind byte of a 16 kHz mono PCM16 little-endian frame. */
export const KIND_PCM16 = 1;

/**
 * One binary frame: header then samples, all little-endian (DataView, so the
 * byte order does not depend on the machine).
 * @param {number} seq frame number in the session's audio stream (u32)
 * @param {Int16Array} samples 16 kHz mono PCM16
 * @returns {ArrayBuffer}
 */
export function encodeAudioFrame(seq, samples) {
  const buffer = new ArrayBuffer(HEADER_BYTES + samples.length * 2);
  const view = new DataView(buffer);
  view.setUint8(0, KIND_PCM16);
  view.setUint32(4, seq >>> 0, true);
  for (let i = 0; i < samples.length; i++) {
    view.setInt16(HEADER_BYTES + i * 2, samples[i], true);
  }
  return buffer;
}

/** [-1, 1] floats to PCM16, clipping what is out of range. */
export function floatToPcm16(input) {
  const out = new Int16Array(input.length);
  for (let i = 0; i < input.length; i++) {
    const s = Math.max(-1, Math.min(1, input[i]));
    out[i] = s < 0 ? Math.round(s * 32768) : Math.round(s * 32767);
  }
  return out;
}

/**
 * Input level for a meter, 0 to 1: the chunk's RMS on a 60 dB scale (-60 dBFS
 * and below is 0, full scale is 1), which tracks loudness better than a
 * linear RMS.
 */
export function levelOf(input) {
  if (!input.length) return 0;
  let sum = 0;
  for (let i = 0; i < input.length; i++) sum += input[i] * input[i];
  const rms = Math.sqrt(sum / input.length);
  if (rms <= 0) return 0;
  return Math.max(0, Math.min(1, (20 * Math.log10(rms) + 60) / 60));
}

/**
 * Streaming downsampler from the device rate (44.1 or 48 kHz) to 16 kHz.
 * Each output sample is the mean of the input samples in its interval: a box
 * filter. It only attenuates what lies above 8 kHz (about 10 dB at 12 kHz from
 * 48 kHz), which is enough for speech recognition: speech has little energy
 * there and what folds back is quiet. It carries its state across chunks, so
 * chunk boundaries leave no clicks.
 */
export class Downsampler {
  constructor(inputRate, outputRate = TARGET_RATE) {
    if (!(inputRate >= outputRate)) {
      throw new Error(`cannot downsample from ${inputRate} Hz to ${outputRate} Hz`);
    }
    this.step = inputRate / outputRate;
    this.index = 0; // input samples consumed
    this.next = this.step; // input index where the current output sample ends
    this.sum = 0;
    this.count = 0;
  }

  /** @param {Float32Array} input @returns {Float32Array} */
  process(input) {
    const out = new Float32Array(Math.ceil(input.length / this.step) + 1);
    let n = 0;
    for (let i = 0; i < input.length; i++) {
      this.sum += input[i];
      this.count++;
      this.index++;
      if (this.index >= this.next) {
        out[n++] = this.sum / this.count;
        this.sum = 0;
        this.count = 0;
        this.next += this.step;
      }
    }
    return out.subarray(0, n);
  }
}

/**
 * Cuts 16 kHz PCM into frames of `frameMs` and hands each encoded frame to
 * `send`. Sequence numbers start at `startSeq` so a client that reconnects
 * (or reloads) continues its count and the server can tell duplicates and
 * holes from new audio.
 */
export class Framer {
  constructor(send, { frameMs = 40, startSeq = 0 } = {}) {
    this.send = send;
    this.frameSamples = Math.round((TARGET_RATE * frameMs) / 1000);
    this.pending = new Int16Array(this.frameSamples);
    this.filled = 0;
    this.seq = startSeq >>> 0;
  }

  /** @param {Int16Array} pcm */
  push(pcm) {
    let offset = 0;
    while (offset < pcm.length) {
      const take = Math.min(pcm.length - offset, this.frameSamples - this.filled);
      this.pending.set(pcm.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === this.frameSamples) this.flush();
    }
  }

  /** Sends what is buffered as a (possibly short) frame. */
  flush() {
    if (this.filled === 0) return;
    this.send(encodeAudioFrame(this.seq, this.pending.subarray(0, this.filled)));
    this.seq = (this.seq + 1) >>> 0;
    this.filled = 0;
  }
}

/**
 * Starts the microphone. `send(ArrayBuffer)` receives each binary frame (the
 * caller sends it on the WebSocket, or drops it while disconnected);
 * `onLevel(0..1)` is called per captured chunk.
 * Resolves to { stop(), level(), nextSeq(), sampleRate }; stop() sends the
 * last partial frame and releases the microphone.
 */
export async function startCapture({ send, onLevel, frameMs = 40, startSeq = 0 } = {}) {
  if (typeof send !== "function") throw new Error("startCapture needs a send function");
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: {
      channelCount: 1,
      // The interviewer's synthesised voice must not be heard as an answer.
      echoCancellation: true,
      noiseSuppression: true,
      autoGainControl: true,
    },
  });
  const AudioContextClass = window.AudioContext || window.webkitAudioContext;
  // The device rate, not 16 kHz: some browsers refuse to connect a
  // microphone to a context at a different rate, so we resample ourselves.
  const context = new AudioContextClass();
  const source = context.createMediaStreamSource(stream);
  const downsampler = new Downsampler(context.sampleRate);
  const framer = new Framer(send, { frameMs, startSeq });
  let level = 0;

  const onChunk = (floats) => {
    level = levelOf(floats);
    if (onLevel) onLevel(level);
    framer.push(floatToPcm16(downsampler.process(floats)));
  };

  let node;
  if (context.audioWorklet && typeof AudioWorkletNode === "function") {
    await context.audioWorklet.addModule(new URL("./voice-worklet.js", import.meta.url));
    node = new AudioWorkletNode(context, "mockloop-capture", {
      numberOfInputs: 1,
      numberOfOutputs: 0,
      processorOptions: { batch: 1024 },
    });
    node.port.onmessage = (event) => onChunk(event.data);
    source.connect(node);
  } else {
    // Deprecated, but the only option in old browsers; it only runs while
    // connected to the destination, so route it through a muted gain.
    node = context.createScriptProcessor(4096, 1, 1);
    const mute = context.createGain();
    mute.gain.value = 0;
    node.onaudioprocess = (event) => onChunk(new Float32Array(event.inputBuffer.getChannelData(0)));
    source.connect(node);
    node.connect(mute);
    mute.connect(context.destination);
  }
  if (context.state === "suspended") await context.resume();

  let stopped = false;
  return {
    sampleRate: context.sampleRate,
    level: () => level,
    nextSeq: () => framer.seq,
    async stop() {
      if (stopped) return;
      stopped = true;
      framer.flush();
      source.disconnect();
      node.disconnect();
      if (node.port) node.port.onmessage = null;
      stream.getTracks().forEach((track) => track.stop());
      await context.close();
    },
  };
}
