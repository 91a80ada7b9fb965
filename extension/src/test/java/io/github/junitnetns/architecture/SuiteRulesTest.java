package io.github.junitnetns.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.github.junitnetns.testsupport.NestedEngine;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;

/** Rules for the suite's own code. */
class SuiteRulesTest {
  private static final JavaClasses TESTS = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.ONLY_INCLUDE_TESTS)
      .importPackages("io.github.junitnetns");

  @Test
  void nestedEnginesRunOffTheSuitesWorkers() {
    noClasses().that().doNotHaveFullyQualifiedName(NestedEngine.class.getName())
        // It runs its engine on a virtual thread of its own, without parallel execution.
        .and().doNotHaveFullyQualifiedName("io.github.junitnetns.jupiter.VirtualThreadPrivilegedTest")
        .should().callMethod(EngineTestKit.Builder.class, "execute")
        .because("a suite worker that waits for a nested engine runs other tests' tasks inside the wait, under"
            + " the waiting test's resource locks, and JUnit's ForkJoinPool executor can then leave a deferred"
            + " task for good: call NestedEngine.execute(builder) instead")
        .check(TESTS);
  }
}
