import { EventEmitter } from 'node:events';

/**
 * A server-side socket stand-in for unit specs: socket.io's Socket is an EventEmitter
 * whose `emit` sends to the client. Here `emit` records what the server sent (`sent`),
 * and `receive` is the client sending an event (its listeners run, as socket.io calls
 * them, with the socket as `this`).
 */
export function fakeServerSocket(name = 'socket-1') {
  const socket = new EventEmitter() as EventEmitter & {
    id: string;
    name: string;
    sent: unknown[][];
  };
  socket.id = name;
  socket.name = name;
  socket.sent = [];
  const deliver = socket.emit.bind(socket);
  return Object.assign(socket, {
    emit: (event: string, ...args: unknown[]) => {
      socket.sent.push([event, ...args]);
      return true;
    },
    receive: (event: string, ...args: unknown[]) => deliver(event, ...args),
  });
}
