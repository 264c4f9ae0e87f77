rootProject.name = "gradle-app"
