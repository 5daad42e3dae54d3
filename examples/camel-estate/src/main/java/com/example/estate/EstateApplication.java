package com.example.estate;

import org.apache.camel.main.Main;

/** The estate's Camel Main: its Java routes (found in this package), its YAML routes from classpath:camel/, its application.properties. */
public final class EstateApplication {

    private EstateApplication() {
    }

    public static void main(String[] args) throws Exception {
        Main main = new Main(EstateApplication.class);
        main.run(args);
    }
}
