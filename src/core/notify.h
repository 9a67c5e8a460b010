/*
 * notify.h: telling the service manager how the daemon is doing, by the
 * notify-socket protocol of sd_notify(3), without libsystemd.
 */
#ifndef SIMPUL_NOTIFY_H
#define SIMPUL_NOTIFY_H

/*
 * Send state ("READY=1", "STOPPING=1", "STATUS=...", lines joined by
 * newlines) to $NOTIFY_SOCKET.  1 sent, 0 when no manager asked for it
 * (the variable unset), -1 when the socket refused it (errno set); a
 * daemon carries on either way.
 */
int	 notify_send(const char *state);

#endif
