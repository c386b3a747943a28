#!/usr/bin/python3
"""A small CRI client (Kubernetes runtime.v1 over gRPC) for the e2e tests:
one CRI call per invocation, results on stdout (ids as plain text,
statuses as JSON), gRPC errors on stderr with exit status 1.

    client.py --socket SOCK --gen DIR COMMAND ARGS...

DIR holds api_pb2*.py, compiled from tests/e2e/cri/api.proto with
`python3 -m grpc_tools.protoc`, and the pod configs (pod-<id>.json) that
`runp` writes and `create` sends again, as a kubelet does.

Commands:
    version                          runtime name, version, API version
    status                           the runtime's conditions (JSON)
    image-status REF                 the image's id, or "" if absent
    runp NAME HANDLER LOGDIR [K=V]...
                                     RunPodSandbox (host network, as the
                                     node's: NamespaceOption.network NODE;
                                     K=V: the pod's annotations); prints the
                                     pod id
    podstatus POD                    the pod's state (SANDBOX_READY...)
    create POD NAME IMAGE [--env K=V]... [--pid MODE] -- CMD...
                                     CreateContainer (log NAME.log in the
                                     pod's LOGDIR; pid namespace MODE, by
                                     default CONTAINER as the kubelet sets
                                     it); prints the container id
    start ID | rm ID                 StartContainer, RemoveContainer
    stop ID TIMEOUT                  StopContainer
    cstatus ID                       ContainerStatus: {"state", "exit_code",
                                     "reason", "started", "finished"}
    exec ID TIMEOUT -- CMD...        ExecSync: {"stdout", "stderr", "exit_code"}
    list POD                         ListContainers: {id: state}
    stopp POD | rmp POD              StopPodSandbox, RemovePodSandbox
"""
import argparse
import json
import os
import sys

import grpc


def load(gen):
    sys.path.insert(0, gen)
    import api_pb2  # noqa: E402  (generated at test time)
    import api_pb2_grpc  # noqa: E402
    return api_pb2, api_pb2_grpc


def pod_config(pb, name, logdir, annotations):
    ns = pb.NamespaceOption(network=pb.NODE, pid=pb.POD, ipc=pb.POD)
    return pb.PodSandboxConfig(
        metadata=pb.PodSandboxMetadata(name=name, uid=name + "-uid", namespace="default"),
        log_directory=logdir,
        annotations=annotations,
        linux=pb.LinuxPodSandboxConfig(
            security_context=pb.LinuxSandboxSecurityContext(namespace_options=ns)),
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--socket", required=True)
    ap.add_argument("--gen", required=True)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("command")
    ap.add_argument("args", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    pb, rpc = load(a.gen)
    chan = grpc.insecure_channel("unix://" + a.socket)
    rt = rpc.RuntimeServiceStub(chan)
    img = rpc.ImageServiceStub(chan)
    t = a.timeout
    args = a.args

    def pod_file(pod):
        return os.path.join(a.gen, "pod-%s.json" % pod)

    def split_cmd(rest):
        if "--" not in rest:
            sys.exit("client.py: a command after -- is needed")
        i = rest.index("--")
        return rest[:i], rest[i + 1:]

    c = a.command
    if c == "version":
        r = rt.Version(pb.VersionRequest(version="v1"), timeout=t)
        print(r.runtime_name, r.runtime_version, r.runtime_api_version)
    elif c == "status":
        r = rt.Status(pb.StatusRequest(), timeout=t)
        print(json.dumps({x.type: x.status for x in r.status.conditions}))
    elif c == "image-status":
        r = img.ImageStatus(pb.ImageStatusRequest(image=pb.ImageSpec(image=args[0])), timeout=t)
        print(r.image.id)
    elif c == "runp":
        name, handler, logdir = args[:3]
        ann = dict(kv.partition("=")[::2] for kv in args[3:])
        cfg = pod_config(pb, name, logdir, ann)
        r = rt.RunPodSandbox(pb.RunPodSandboxRequest(config=cfg, runtime_handler=handler),
                             timeout=t)
        with open(pod_file(r.pod_sandbox_id), "w") as f:
            json.dump({"name": name, "logdir": logdir, "annotations": ann}, f)
        print(r.pod_sandbox_id)
    elif c == "podstatus":
        r = rt.PodSandboxStatus(pb.PodSandboxStatusRequest(pod_sandbox_id=args[0]), timeout=t)
        print(pb.PodSandboxState.Name(r.status.state))
    elif c == "create":
        opts, cmd = split_cmd(args)
        pod, name, image = opts[:3]
        envs, pid = [], "CONTAINER"
        rest = opts[3:]
        while rest:
            if rest[0] == "--env":
                k, _, v = rest[1].partition("=")
                envs.append(pb.KeyValue(key=k, value=v))
            elif rest[0] == "--pid":
                pid = rest[1]
            else:
                sys.exit("client.py: unknown create option " + rest[0])
            rest = rest[2:]
        with open(pod_file(pod)) as f:
            p = json.load(f)
        ns = pb.NamespaceOption(network=pb.NODE, pid=pb.NamespaceMode.Value(pid), ipc=pb.POD)
        cfg = pb.ContainerConfig(
            metadata=pb.ContainerMetadata(name=name),
            image=pb.ImageSpec(image=image),
            command=cmd,
            envs=envs,
            log_path=name + ".log",
            linux=pb.LinuxContainerConfig(
                security_context=pb.LinuxContainerSecurityContext(namespace_options=ns)),
        )
        r = rt.CreateContainer(pb.CreateContainerRequest(
            pod_sandbox_id=pod, config=cfg,
            sandbox_config=pod_config(pb, p["name"], p["logdir"], p["annotations"])),
            timeout=t)
        print(r.container_id)
    elif c == "start":
        rt.StartContainer(pb.StartContainerRequest(container_id=args[0]), timeout=t)
    elif c == "stop":
        rt.StopContainer(pb.StopContainerRequest(container_id=args[0], timeout=int(args[1])),
                         timeout=t)
    elif c == "rm":
        rt.RemoveContainer(pb.RemoveContainerRequest(container_id=args[0]), timeout=t)
    elif c == "cstatus":
        r = rt.ContainerStatus(pb.ContainerStatusRequest(container_id=args[0]), timeout=t)
        s = r.status
        print(json.dumps({"state": pb.ContainerState.Name(s.state), "exit_code": s.exit_code,
                          "reason": s.reason, "started": s.started_at > 0,
                          "finished": s.finished_at > 0}))
    elif c == "exec":
        opts, cmd = split_cmd(args)
        r = rt.ExecSync(pb.ExecSyncRequest(container_id=opts[0], cmd=cmd,
                                           timeout=int(opts[1])), timeout=t)
        print(json.dumps({"stdout": r.stdout.decode(errors="replace"),
                          "stderr": r.stderr.decode(errors="replace"),
                          "exit_code": r.exit_code}))
    elif c == "list":
        r = rt.ListContainers(pb.ListContainersRequest(
            filter=pb.ContainerFilter(pod_sandbox_id=args[0])), timeout=t)
        print(json.dumps({x.id: pb.ContainerState.Name(x.state) for x in r.containers}))
    elif c == "stopp":
        rt.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id=args[0]), timeout=t)
    elif c == "rmp":
        rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=args[0]), timeout=t)
    else:
        sys.exit("client.py: unknown command " + c)


if __name__ == "__main__":
    try:
        main()
    except grpc.RpcError as e:
        print("client.py: %s: %s" % (e.code().name, e.details()), file=sys.stderr)
        sys.exit(1)
