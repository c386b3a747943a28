/* Many connections at once: clients in several processes connect to one
 * path socket and each sends its number; the server accepts them all and
 * serves them with poll(), answering each on its own connection. */
#include "check.h"
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

#define PROCS 16
#define PER_PROC 4
#define CONNS (PROCS * PER_PROC)

int main(void)
{
    enter_tmpdir();
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    strcpy(a.sun_path, "many.sock");
    int l = CHECK_OK(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0));
    CHECK_OK(bind(l, (struct sockaddr *)&a, sizeof a));
    CHECK_OK(listen(l, 8));                   /* fewer than the clients: some wait */

    pid_t pids[PROCS];
    for (int p = 0; p < PROCS; p++) {
        pids[p] = CHECK_OK(fork());
        if (pids[p] == 0) {
            int fds[PER_PROC];
            for (int i = 0; i < PER_PROC; i++) {
                fds[i] = CHECK_OK(socket(AF_UNIX, SOCK_STREAM, 0));
                CHECK_OK(connect(fds[i], (struct sockaddr *)&a, sizeof a));
                int id = p * PER_PROC + i;
                CHECK_EQ(send(fds[i], &id, sizeof id, 0), sizeof id);
            }
            for (int i = 0; i < PER_PROC; i++) {
                int id = p * PER_PROC + i, reply = -1;
                CHECK_EQ(recv(fds[i], &reply, sizeof reply, MSG_WAITALL), sizeof reply);
                CHECK_EQ(reply, id * 2);
                char c;
                CHECK_EQ(recv(fds[i], &c, 1, 0), 0);
            }
            _exit(0);
        }
    }

    struct pollfd pf[CONNS + 1];
    int nconn = 0, served = 0;
    bool seen[CONNS] = { false };
    pf[0] = (struct pollfd){ l, POLLIN, 0 };
    while (served < CONNS) {
        int r = poll(pf, (nfds_t)nconn + 1, 4000);
        CHECK(r > 0);
        if (pf[0].revents & POLLIN) {
            int s = CHECK_OK(accept4(l, NULL, NULL, SOCK_NONBLOCK));
            CHECK(nconn < CONNS);
            pf[++nconn] = (struct pollfd){ s, POLLIN, 0 };
        }
        for (int i = 1; i <= nconn; i++) {
            if (pf[i].fd < 0 || !(pf[i].revents & POLLIN))
                continue;
            int id = -1;
            CHECK_EQ(recv(pf[i].fd, &id, sizeof id, MSG_WAITALL), sizeof id);
            CHECK(id >= 0 && id < CONNS && !seen[id]);
            seen[id] = true;
            int reply = id * 2;
            CHECK_EQ(send(pf[i].fd, &reply, sizeof reply, 0), sizeof reply);
            CHECK_OK(close(pf[i].fd));
            pf[i].fd = -1;
            served++;
        }
    }
    for (int p = 0; p < PROCS; p++)
        CHECK_CHILD_EXIT(pids[p], 0);
    CHECK_ERR(accept4(l, NULL, NULL, SOCK_NONBLOCK), EAGAIN);
    CHECK_OK(close(l));
    return 0;
}
