// The chat room demo (exercises 3 and 4): a run starts the room server (the learner's RoomServer, or the built-in
// peer), its public port (chat-relay.ts, which "Stop server" closes), one lab-held connection per browser pane
// joined under the pane's name (chat-pane.ts), and the reconnecting client (the learner's ReconnectingWebSocket,
// or the built-in fixed-schedule client). Each half falls back on its own. A learner's server that does not answer
// the panes' joins is replaced by the built-in peer, with the reason. Everything is published to the page as it
// happens, tagged with the run; a new run closes the previous one first.

import type { ExerciseSpec } from '../../course/schema';
import { HttpError } from '../demo-input';
import { CHAT_NAMES, type ChatOutgoing, type ChatUpdate, type ChatView } from '../view-chat';
import { ChatPane } from './chat-pane';
import { openFixedScheduleClient, openLearnerReconnector, type Reconnector } from './chat-reconnect';
import { StoppableRelay } from './chat-relay';
import { openBuiltInRoom, openLearnerRoom, type RoomServerHandle } from './chat-server';

interface Running {
  run: number;
  room: RoomServerHandle;
  relay: StoppableRelay;
  panes: ChatPane[];
  client: Reconnector | undefined;
}

export class ChatDemo {
  private current: Running | undefined;
  private run = 0;
  /** Serialises start/stop/close: a run is built or torn down whole. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly send: (view: ChatView) => void) {}

  start(root: string, server: ExerciseSpec, client: ExerciseSpec): Promise<{ run: number }> {
    return this.serially(() => this.startRun(root, server, client));
  }

  /** Sends what pane `pane` of run `run` asked (a 409 when that run is over or the pane is not connected). */
  say(run: number, pane: number, message: ChatOutgoing): void {
    const current = this.current;
    if (!current || current.run !== run) throw new HttpError(409, 'this chat room has been closed: start it again');
    if (!current.panes[pane]?.send(message)) throw new HttpError(409, 'this pane is not connected (is the server stopped?)');
  }

  /** "Stop server" / "Start server": closes the public port (every connection reset) or opens it again. */
  setServer(run: number, running: boolean): Promise<{ running: boolean }> {
    return this.serially(async () => {
      const current = this.current;
      if (!current || current.run !== run) throw new HttpError(409, 'this chat room has been closed: start it again');
      const emit = this.emitter(run);
      if (running) {
        await current.relay.start();
        emit({ kind: 'server', running: true, at: Date.now() });
        for (const pane of current.panes) void pane.connect(current.relay.url);
      } else {
        await current.relay.stop();
        emit({ kind: 'server', running: false, at: Date.now() });
      }
      return { running: current.relay.running };
    });
  }

  close(): Promise<void> {
    return this.serially(() => this.stopRun());
  }

  private serially<T>(step: () => Promise<T>): Promise<T> {
    const next = this.queue.then(step, step);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private emitter(run: number): (update: ChatUpdate) => void {
    return (update) => {
      if (this.current?.run === run || this.run === run) this.send({ ...update, run });
    };
  }

  private async startRun(root: string, serverExercise: ExerciseSpec, clientExercise: ExerciseSpec): Promise<{ run: number }> {
    await this.stopRun();
    const run = ++this.run;
    const emit = this.emitter(run);
    const learner = await openLearnerRoom(root, serverExercise);
    let room = 'problem' in learner ? await openBuiltInRoom(learner.problem) : learner;
    const relay = new StoppableRelay(room.port);
    await relay.start();
    const panes = CHAT_NAMES.map((name, i) => new ChatPane(i, name, emit));
    const current: Running = { run, room, relay, panes, client: undefined };
    this.current = current;
    emit({ kind: 'status', half: 'server', source: room.source, text: room.text });
    emit({ kind: 'server', running: true, at: Date.now() });
    // One after the other: the second pane's join shows the first one a presence message.
    const joined: boolean[] = [];
    for (const pane of panes) joined.push(await pane.connect(relay.url));
    if (room.source === 'learner' && joined.includes(false)) {
      const who = panes.filter((_, i) => !joined[i]).map((p) => p.name);
      for (const pane of panes) pane.close();
      await room.close();
      room = await openBuiltInRoom(`your RoomServer did not answer ${who.join(' and ')}'s join with {"type":"joined",...} within 3 s`);
      current.room = room;
      relay.target = room.port;
      emit({ kind: 'status', half: 'server', source: room.source, text: room.text });
      for (const pane of panes) await pane.connect(relay.url);
    }
    const learnerClient = await openLearnerReconnector(root, clientExercise, relay.url, emit);
    current.client = 'problem' in learnerClient ? openFixedScheduleClient(relay.url, learnerClient.problem, emit) : learnerClient;
    emit({ kind: 'status', half: 'client', source: current.client.source, text: current.client.text });
    return { run };
  }

  private async stopRun(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    if (!current) return;
    await current.client?.close();
    for (const pane of current.panes) pane.close();
    await current.relay.stop();
    await current.room.close();
  }
}
