// SPDX-License-Identifier: BSD-3-Clause
// Type declarations for rtcgate.js.

export declare const VERSION: string;

export declare class RtcGateError extends Error {
  /** HTTP status; 0 for a network error or a CORS refusal. */
  readonly status: number;
  /** The gateway's error code (docs/http-api.md), or network_error / http_NNN. */
  readonly code: string;
}

export type CallState = 'calling' | 'ringing' | 'incoming' | 'active' | 'held' | 'ended';

export interface CallStats {
  packetsSent: number;
  packetsReceived: number;
  audioLevel: number;
  totalAudioEnergy: number;
  roundTripTime: number | null;
  dtlsState: string | null;
}

export interface MediaOptions {
  audio?: boolean;
  video?: boolean;
  /** Use this stream instead of asking getUserMedia. */
  stream?: MediaStream;
}

export interface CallEvents {
  state: (state: CallState) => void;
  progress: (status: number) => void;
  held: (by: 'local' | 'remote') => void;
  resumed: (by: 'local' | 'remote') => void;
  dtmf: (digits: string) => void;
  ended: (reason: string) => void;
  stats: (stats: CallStats) => void;
  track: (track: MediaStreamTrack) => void;
  connection: (state: RTCPeerConnectionState) => void;
}

export declare class Call {
  readonly id: string;
  readonly direction: 'inbound' | 'outbound';
  /** The number or URI called, or the caller. */
  readonly peer: string;
  readonly state: CallState;
  readonly heldBy: 'local' | 'remote' | null;
  readonly remoteStream: MediaStream;
  readonly localStream: MediaStream | null;
  readonly pc: RTCPeerConnection | null;
  /** Date.now() when the call became active. */
  readonly startedAt: number | null;
  on<K extends keyof CallEvents>(type: K, fn: CallEvents[K]): this;
  off<K extends keyof CallEvents>(type: K, fn: CallEvents[K]): this;
  once<K extends keyof CallEvents>(type: K, fn: CallEvents[K]): this;
  answer(opts?: MediaOptions): Promise<this>;
  decline(): Promise<void>;
  hangup(): Promise<void>;
  hold(): Promise<void>;
  resume(): Promise<void>;
  sendDtmf(digits: string, opts?: { inband?: boolean; duration?: number; gap?: number }): Promise<void>;
  mute(muted?: boolean): void;
  getStats(): Promise<CallStats>;
}

export interface RtcGateOptions {
  /** The gateway's API base, e.g. https://gateway.example:8443 */
  url: string;
  iceServers?: RTCIceServer[];
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** Sign in again with the same credentials when the session expired (default true). */
  reSignIn?: boolean;
  /** Milliseconds between a call's 'stats' events; 0: none (default 1000). */
  statsInterval?: number;
  /** Long-poll timeout in seconds (default 25). */
  pollTimeout?: number;
  /** Reconnection back-off bounds in ms (default 1000 and 30000). */
  backoffMin?: number;
  backoffMax?: number;
  /** Stop the microphone when a call ends (default true). */
  stopTracksOnEnd?: boolean;
  /** A fetch implementation (tests). */
  fetch?: typeof fetch;
}

export interface SignedIn {
  user: string;
  session: string;
  expires: number;
  renewed?: boolean;
}

export interface RtcGateEvents {
  incoming: (call: Call) => void;
  signedIn: (s: SignedIn) => void;
  signedOut: (why: 'local' | 'expired') => void;
  disconnected: (info: { error: Error; retryIn: number }) => void;
  registration: (info: { status: number; reason: string }) => void;
  error: (e: Error) => void;
}

export declare class RtcGate {
  constructor(opts: RtcGateOptions);
  readonly url: string;
  readonly user: string | null;
  readonly session: string | null;
  readonly calls: Map<string, Call>;
  on<K extends keyof RtcGateEvents>(type: K, fn: RtcGateEvents[K]): this;
  off<K extends keyof RtcGateEvents>(type: K, fn: RtcGateEvents[K]): this;
  once<K extends keyof RtcGateEvents>(type: K, fn: RtcGateEvents[K]): this;
  signIn(user: string, password: string): Promise<SignedIn>;
  signInWithToken(tokenUser: string, tokenPassword: string): Promise<SignedIn>;
  signOut(): Promise<void>;
  call(to: string, opts?: MediaOptions): Promise<Call>;
}

export default RtcGate;
