package it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PlainTest {

  @Test
  void runsOnTheJvmTheProjectChose() {
    assertEquals(System.getProperty("java.home") + "/bin/java", System.getProperty("it.jvm"));
  }
}
