package io.github.junitnetns;

import io.github.junitnetns.internal.linux.ErrnoException;
import io.github.junitnetns.internal.ns.Attachment;
import io.github.junitnetns.internal.ns.NetNsAccess;
import io.github.junitnetns.internal.ns.NsHandle;
import io.github.junitnetns.internal.ns.VirtualThreads;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the JUnit extension may do with a {@link NetNs} beyond its public API, registered by
 * {@code NetNs} with {@link NetNsAccess}.
 */
final class LibraryAccess extends NetNsAccess {
  @Override
  public NetNs createOnCurrentThread(String label) throws ErrnoException {
    VirtualThreads.refuse("Creating network namespace " + label);
    NetNs ns = new NetNs(NsHandle.createOnCurrentThread(label));
    NetNsAccess.countCreated();
    return ns;
  }

  @Override
  public NetNs createSpareOnCurrentThread() throws ErrnoException {
    VirtualThreads.refuse("Creating a spare network namespace");
    return new NetNs(NsHandle.createOnCurrentThread("spare"));
  }

  @Override
  public void adopt(NetNs spare, String label) {
    spare.handle().adopt(label);
    NetNsAccess.countCreated();
  }

  @Override
  public void enterOnCurrentThread(NetNs ns) throws ErrnoException {
    VirtualThreads.refuse("Entering netns " + ns.label());
    ns.handle().enterOnCurrentThread();
  }

  @Override
  public NetNsException toPublic(ErrnoException e) {
    return NetNsException.of(e);
  }

  @Override
  public void bindMount(NetNs ns, Path target) throws ErrnoException {
    ns.handle().bindMount(target);
  }

  @Override
  public String processReport(NetNs ns) {
    return ns.processReport();
  }

  @Override
  public NetNs openInitial() {
    try {
      return new NetNs(NsHandle.openInitial());
    } catch (ErrnoException e) {
      throw NetNsException.of(e);
    }
  }

  @Override
  public Network newNetwork(Map<String, NetNs> namespaces, Map<String, Bridge> bridges, List<Attachment> attachments) {
    return new Network(namespaces, bridges, attachments);
  }
}
